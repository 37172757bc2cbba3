/**
 * `quarkade train` arguments as a compute node must see them: files given by relative paths
 * become absolute, a saved track or reward (which lives in the user's data folder, not the
 * task's) is copied into the submission folder and passed as a file, and the flags the batch
 * script sets itself (--data-dir, --json) are dropped.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BUILTIN_TRACK_NAMES } from '../../core/racer/builtin-tracks'
import { ConfigError } from '../../shared/api'
import { RewardLibrary } from '../services/rewards'
import type { RunStore } from '../services/run-store'
import { TrackLibrary } from '../services/tracks'

const DROPPED_WITH_VALUE = new Set(['--data-dir'])
const DROPPED = new Set(['--json'])

function isFile(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isFile()
}

/**
 * `argv`: train arguments as typed (relative to the current folder). `dataDir`: the user's data
 * folder (saved rewards); `store`: the user's run store (saved tracks), if open; `dir`: the
 * submission folder, where copied inputs go (`inputs/`).
 */
export function portableTrainArgs(argv: readonly string[], opts: { dataDir: string; dir: string; store?: RunStore | null }): string[] {
  const out: string[] = []
  const inputs = (kind: string, name: string, text: string): string => {
    const file = path.join(opts.dir, 'inputs', kind, `${name.replace(/[/\\\0]/g, '_')}.json`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
    return file
  }
  const rewrite = (flag: string, value: string): string => {
    switch (flag) {
      case '--data':
        return path.resolve(value)
      case '--track':
        if (isFile(value)) return path.resolve(value)
        if ((BUILTIN_TRACK_NAMES as string[]).includes(value) || !opts.store) return value
        return inputs('tracks', value, JSON.stringify(new TrackLibrary(opts.store).get(value)))
      case '--reward': {
        if (isFile(value)) return path.resolve(value)
        const library = new RewardLibrary(opts.dataDir)
        return /^[\w][\w -]*$/.test(value) && library.has(value) ? inputs('rewards', value, fs.readFileSync(library.fileOf(value), 'utf8')) : value
      }
      default:
        return value
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--resume' || a.startsWith('--resume=')) throw new ConfigError('--resume continues a run in this machine\'s store; it cannot run on Slurm (train a new run there instead)')
    if (DROPPED.has(a)) continue
    const eq = a.indexOf('=')
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a
    if (DROPPED_WITH_VALUE.has(flag)) {
      if (eq < 0) i++
      continue
    }
    if (['--data', '--track', '--reward'].includes(flag)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i]
      if (value === undefined) throw new ConfigError(`${flag} needs a value`)
      out.push(flag, rewrite(flag, value))
      continue
    }
    out.push(a)
  }
  return out
}
