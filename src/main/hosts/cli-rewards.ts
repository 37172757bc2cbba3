/**
 * Saved reward functions in the CLI (wired into cli.ts): per-event weights
 * under a name, kept as `<data dir>/rewards/NAME.json` in the format of
 * src/core/maze/rewards.ts, so `--reward NAME` finds them.
 *
 *   quarkade reward save NAME [--set w_death=-2000 ...] [--data-dir DIR] [--json]
 *   quarkade reward list [--data-dir DIR] [--json]
 *
 * Bad input is a ConfigError: one line, exit code 2, nothing written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseCliArgs } from './cli-args'
import { DEFAULT_WEIGHTS, REWARD_EVENTS, REWARD_NAME, parseRewardDefinition, rewardDefinitionText, rewardEnvSettings, type RewardDefinition, type RewardWeightKey } from '../../core/maze/rewards'
import type { ParamSpec } from '../../core/params'
import { ConfigError } from '../../shared/api'
import { defaultDataDir } from '../services/data-dir'

export const REWARD_USAGE = `quarkade reward save NAME [--set w_pellet=10 --set w_death=-2000 ...] [--data-dir DIR] [--json]   save a named reward function
  quarkade reward list [--data-dir DIR] [--json]`

const MAX_REWARD_FILE_BYTES = 64 * 1024

const rewardsDir = (dataDir: string): string => path.join(dataDir, 'rewards')
const savedPath = (dataDir: string, name: string): string => path.join(rewardsDir(dataDir), `${name}.json`)

function readRewardFile(file: string): RewardDefinition {
  const bytes = fs.statSync(file).size
  if (bytes > MAX_REWARD_FILE_BYTES) throw new ConfigError(`${file}: ${bytes} bytes is not a reward file (at most ${MAX_REWARD_FILE_BYTES})`)
  try {
    return parseRewardDefinition(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`)
  }
}

const isFile = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isFile()

/**
 * `--reward VALUE` as world settings: one of the world's reward functions, a reward
 * saved under that name in the data folder, or a reward file.
 */
export function rewardSettings(value: string, envSpecs: readonly ParamSpec[], dataDir: string): Record<string, unknown> {
  const spec = envSpecs.find((s) => s.key === 'reward')
  if (!spec || spec.type !== 'select') throw new ConfigError('--reward: this world has no reward functions to choose from')
  if (spec.options.includes(value)) return { reward: value }
  const custom = spec.options.includes('custom')
  const saved = custom && REWARD_NAME.test(value) ? savedPath(dataDir, value) : null
  const file = saved && isFile(saved) ? saved : custom && isFile(value) ? value : null
  if (!file) throw new ConfigError(`--reward: unknown reward "${value.slice(0, 40)}" (known: ${spec.options.join(', ')}; or a saved reward's name, or a reward file)`)
  return rewardEnvSettings(readRewardFile(file))
}

function weightsFromSets(sets: readonly string[]): RewardDefinition['weights'] {
  const weights = { ...DEFAULT_WEIGHTS }
  for (const item of sets) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new ConfigError(`malformed --set "${item.slice(0, 40)}": expected key=value`)
    const key = item.slice(0, eq)
    if (!(key in weights)) throw new ConfigError(`unknown weight "${key.slice(0, 40)}" (known: ${REWARD_EVENTS.map((e) => e.key).join(', ')})`)
    const text = item.slice(eq + 1)
    const v = Number(text)
    if (text.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`weight ${key} must be a number, got "${text.slice(0, 40)}"`)
    weights[key as RewardWeightKey] = v
  }
  return weights
}

export async function rewardCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseCliArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { set: { type: 'string', multiple: true }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  })
  const dataDir = values['data-dir'] ?? defaultDataDir()
  if (sub === 'save') {
    if (positionals.length !== 1) throw new ConfigError('reward save needs one NAME (e.g. quarkade reward save careful --set w_death=-2000)')
    // The file format's own check of the name and weights, before anything is written.
    let def: RewardDefinition
    try {
      def = parseRewardDefinition(JSON.stringify({ name: positionals[0], weights: weightsFromSets(values.set ?? []) }))
    } catch (e) {
      throw e instanceof ConfigError ? e : new ConfigError((e as Error).message)
    }
    const file = savedPath(dataDir, def.name)
    fs.mkdirSync(rewardsDir(dataDir), { recursive: true })
    const tmp = `${file}.tmp`
    fs.writeFileSync(tmp, rewardDefinitionText(def))
    fs.renameSync(tmp, file)
    process.stdout.write(values.json ? JSON.stringify({ ...def, path: file }) + '\n' : `saved reward "${def.name}" in ${file}: use --reward ${JSON.stringify(def.name)}\n`)
    return 0
  }
  if (sub === 'list') {
    if (positionals.length) throw new ConfigError(`unexpected argument "${positionals[0].slice(0, 40)}"`)
    const dir = rewardsDir(dataDir)
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []
    const list = names.map((f) => {
      try {
        return readRewardFile(path.join(dir, f))
      } catch (e) {
        return { name: f.replace(/\.json$/, ''), problem: (e as Error).message }
      }
    })
    if (values.json) process.stdout.write(JSON.stringify(list) + '\n')
    else if (!list.length) process.stdout.write(`no saved rewards in ${dir} — save one with: quarkade reward save NAME --set w_death=-2000\n`)
    else for (const r of list) process.stdout.write('weights' in r ? `${r.name.padEnd(24)} ${Object.entries(r.weights).map(([k, v]) => `${k}=${v}`).join(' ')}\n` : `${r.name.padEnd(24)} unreadable: ${r.problem}\n`)
    return 0
  }
  throw new ConfigError(`reward: expected "save" or "list", got "${String(sub ?? '').slice(0, 40)}"`)
}
