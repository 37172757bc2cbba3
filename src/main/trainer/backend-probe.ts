/**
 * Whether a forced native tfjs backend can load here, checked before a run is created: the
 * trainer would find out only after the run (and the database) were written. The package is
 * loaded in a throwaway process, so libtensorflow (and CUDA) never load into the host.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import type { BackendChoice } from '../../shared/api'

const NATIVE_PACKAGES: Partial<Record<BackendChoice, string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
}

/** What to install for a backend. */
export function installHint(choice: BackendChoice): string {
  return choice === 'node-gpu' ? '@tensorflow/tfjs-node-gpu with CUDA' : choice === 'node' ? '@tensorflow/tfjs-node' : 'the tfjs package'
}

/** Why a forced backend cannot load on this machine, or null (also for wasm, cpu and auto). */
export function backendProblem(choice: BackendChoice): string | null {
  const pkg = NATIVE_PACKAGES[choice]
  if (!pkg) return null
  const unavailable = (why: string): string => `backend "${choice}" is not available on this machine (${why}); install ${installHint(choice)}, or choose "auto"`
  let entry: string
  try {
    entry = createRequire(import.meta.url).resolve(pkg)
  } catch {
    return unavailable(`${pkg} is not installed`)
  }
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(entry)})`], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  })
  if (r.status === 0) return null
  const line = (r.stderr ?? '').split('\n').find((l) => /^\w*Error\b/.test(l)) ?? (r.error ? String(r.error.message) : `exit code ${r.status}`)
  const reason = line.replace(/^\w*Error:\s*/, '').trim()
  return unavailable(`${pkg} does not load: ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}`)
}
