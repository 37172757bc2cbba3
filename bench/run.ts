/**
 * Benchmarks. Prints one JSON object per line:
 *   {"bench": NAME, "value": NUMBER, "unit": UNIT, ...extra}
 * Usage: npm run bench [-- --only name1,name2] [--data FILE.hdf5]
 * --data runs the HDF5 read benches on that file instead of generated ones.
 */
import { CatchEnv, CatchVecEnv } from '../src/core/catch/env'
import { defaultParams } from '../src/core/catalog'
import { randomActions, median, now, rate, round, WinRate, type BenchResult } from './util'
import { racerBenches } from './racer'
import { h5Benches } from './h5'
import { lartpcBenches } from './lartpc-data'
import { snakeBenches } from './snake'
import { mazeBenches } from './maze'
import { mazeAlgoBenches } from './maze-algos'
import { mazeLearningBenches } from './maze-learning'
import { vaeBenches, vaeQualityBenches } from './vae'
import { lartpcGameBenches } from './lartpc-game'
import { lartpcReplayBenches } from './lartpc-replay'
import { startupBenches } from './startup'
import { storeBenches } from './store'
import { OPENBLAS_TUNING, peerFigures } from './peers'

// Before anything loads the BLAS (selectBackend imports it lazily): see OPENBLAS_TUNING.
const openblasPinned = OPENBLAS_TUNING.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`)
for (const name of OPENBLAS_TUNING) delete process.env[name]

/** Loads tfjs and the backend only for the benches that need them. */
async function tfSetup() {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { Dqn } = await import('../src/core/agents/dqn')
  const backend = await selectBackend('auto')
  const catchDqn = (seed: number, overrides = {}) => Dqn.fromValues(new CatchEnv(), { ...defaultParams('catch', 'dqn'), ...overrides }, seed)
  return { backend, catchDqn }
}

const REPEATS = 5

const catchBenches: Record<string, () => Promise<BenchResult>> = {
  async catch_env_steps_per_s() {
    const actions = randomActions(1 << 16, 3)
    const mask = actions.length - 1
    const env = new CatchEnv(0)
    env.reset()
    let k = 0
    const chunk = (): void => {
      for (let i = 0; i < 100_000; i++) {
        if (env.step(actions[k++ & mask]).terminated) env.reset()
      }
    }
    rate(0.2, 100_000, chunk) // warm up the JIT
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, 100_000, chunk))
    return { value: round(median(runs)), unit: 'steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)) }
  },

  async catch_vec_env_steps_per_s() {
    const numEnvs = 64
    const calls = 1024
    const actions = randomActions(numEnvs * calls, 3)
    const views = Array.from({ length: calls }, (_, c) => actions.subarray(c * numEnvs, (c + 1) * numEnvs))
    const vec = new CatchVecEnv(numEnvs)
    vec.reset(0)
    const chunk = (): void => {
      for (let c = 0; c < calls; c++) vec.step(views[c])
    }
    rate(0.2, numEnvs * calls, chunk)
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, numEnvs * calls, chunk))
    return { value: round(median(runs)), unit: 'env-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), numEnvs }
  },

  async dqn_grad_steps_per_s() {
    const { backend, catchDqn } = await tfSetup()
    // Acting at random (ε = 1) skips the policy's forward passes, so the time is the gradient steps'.
    const dqn = catchDqn(0, { epsilon_start: 1, epsilon_end: 1 })
    const steps = async (n: number): Promise<{ steps: number; seconds: number }> => {
      const g0 = dqn.gradSteps
      const t0 = now()
      for await (const ep of dqn.train(Number.MAX_SAFE_INTEGER)) if (ep.gradSteps - g0 >= n) break
      return { steps: dqn.gradSteps - g0, seconds: (now() - t0) / 1000 }
    }
    await steps(300) // warmup
    const m = await steps(2000)
    dqn.dispose()
    const value = m.steps / m.seconds
    return { value: round(value), unit: 'grad-steps/s', backend, steps: m.steps, seconds: round(m.seconds), batch_size: dqn.params.batch_size }
  },

  async catch_time_to_win90_s() {
    const { backend, catchDqn } = await tfSetup()
    const seeds = [0, 1, 2]
    const budget = 2000
    const seconds: (number | null)[] = []
    const episodes: (number | null)[] = []
    for (const seed of seeds) {
      const t0 = now()
      const dqn = catchDqn(seed)
      const wr = new WinRate(100)
      let reached: number | null = null
      for await (const ep of dqn.train(budget)) {
        if ((wr.push(ep.won) ?? 0) >= 0.9) {
          reached = ep.episode + 1
          break
        }
      }
      seconds.push(reached === null ? null : round((now() - t0) / 1000))
      episodes.push(reached)
      dqn.dispose()
    }
    // A seed that never got there counts as slower than all the others.
    const value = median(seconds.map((s) => s ?? Infinity))
    return { value: Number.isFinite(value) ? value : null, unit: 's', median: Number.isFinite(value) ? value : null, seeds, seconds, episodes, budget_episodes: budget, backend }
  },
}

type Bench = (opts: { dataFile?: string }) => Promise<BenchResult | BenchResult[]>
const benches: Record<string, Bench> = { ...catchBenches, ...snakeBenches, ...mazeBenches, ...mazeAlgoBenches, ...mazeLearningBenches, ...racerBenches, ...h5Benches, ...lartpcBenches, ...vaeBenches, ...vaeQualityBenches, ...lartpcGameBenches, ...lartpcReplayBenches, ...startupBenches, ...storeBenches }

function parseArgs(argv: string[]): { names: string[]; dataFile?: string } {
  let only: string | undefined
  let dataFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--only') {
      only = argv[++i]
      if (only === undefined) fail('--only needs a bench name (or a comma-separated list)')
    } else if (a.startsWith('--only=')) only = a.slice('--only='.length)
    else if (a === '--data') {
      dataFile = argv[++i]
      if (dataFile === undefined) fail('--data needs an HDF5 file')
    } else fail(`unknown argument "${a}" (usage: npm run bench -- [--only name1,name2] [--data FILE])`)
  }
  return { names: selected(only), dataFile }
}

function selected(only: string | undefined): string[] {
  if (only === undefined) return Object.keys(benches)
  const names = only.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !(n in benches))
  if (unknown.length > 0 || names.length === 0)
    fail(`unknown bench ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; known: ${Object.keys(benches).join(', ')}`)
  return names
}

function fail(message: string): never {
  console.error(`bench: ${message}`)
  process.exit(2)
}

/** On wasm, whether the matrix products ran on the system BLAS (src/main/trainer/blas-kernels.ts). */
async function wasmKernels(result: BenchResult): Promise<Record<string, unknown>> {
  if (result.backend !== 'wasm') return {}
  const { blasKernelsInUse } = await import('../src/main/trainer/blas-kernels')
  return { blas: blasKernelsInUse(), ...(openblasPinned.length > 0 ? { openblas_unset: openblasPinned } : {}) }
}

const { names, dataFile } = parseArgs(process.argv.slice(2))
for (const name of names) {
  const results = await benches[name]({ dataFile })
  for (const result of Array.isArray(results) ? results : [results]) {
    console.log(JSON.stringify({ bench: name, ...result, ...(await wasmKernels(result)), ...peerFigures(name, result) }))
  }
}
