/**
 * Picks the tfjs backend for a trainer process: the fastest one that loads —
 * tfjs-node-gpu (CUDA) → webgpu (Dawn, where the machine has a GPU adapter) →
 * tfjs-node (libtensorflow CPU) → wasm → cpu — unless a setting forces one. The
 * native packages and `webgpu` are optional dependencies; where one failed to
 * install, or loads but finds no GPU, the next is tried and the reason kept (one
 * line each), so a run can say why it is not on a faster backend.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendChoice } from '../../shared/api'
import { registerWasmKernels } from '../../core/nn/wasm-kernels'
import { registerBlasKernels, type Blas } from './blas-kernels'
import { unavailableMessage } from './backend-probe'
import { probeWebGpu, WEBGPU_PACKAGE, type WebGpuVerdict } from './webgpu-probe'

export type BackendName = Exclude<BackendChoice, 'auto'>

export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']

/**
 * Where the backends meet the machine: loading a package (which registers its tfjs backend)
 * and asking for a GPU adapter. Runs use the real one; a test stands in here for the
 * packages and GPUs a machine may or may not have.
 */
export interface BackendSystem {
  importPackage(pkg: string): Promise<unknown>
  webgpu(): Promise<WebGpuVerdict>
}

export const realSystem: BackendSystem = {
  importPackage: (pkg) => import(/* @vite-ignore */ pkg),
  webgpu: () => probeWebGpu(),
}

/**
 * The backend in use, and why each one before it in BACKEND_ORDER was skipped ("webgpu: no adapter (…)");
 * on wasm, also why its matrix products are not on the system BLAS, if they are not.
 */
export interface BackendSelection {
  backend: BackendName
  skipped: string[]
}

/** The wasm backend's GEMMs on the system BLAS (blas-kernels.ts): null when in use, else why not. QUARKADE_BLAS=0 turns it off. */
async function useSystemBlas(system: BackendSystem): Promise<string | null> {
  if (process.env.QUARKADE_BLAS === '0') return 'system BLAS: off (QUARKADE_BLAS=0)'
  // One BLAS thread per trainer unless the user says otherwise: the DQN's GEMMs are too small to
  // split, trainers run side by side in sweeps, and OpenBLAS's spinning threads on a busy machine
  // made a Snake gradient step several times slower here. Read when the library loads, so set first.
  process.env.OPENBLAS_NUM_THREADS ??= '1'
  let blas: Blas
  try {
    const mod = (await system.importPackage('nblas')) as Blas & { default?: Blas }
    blas = typeof mod.sgemm === 'function' ? mod : mod.default!
    if (typeof blas?.sgemm !== 'function' || typeof blas.sgemv !== 'function') return 'system BLAS: nblas has no sgemm and sgemv'
  } catch (e) {
    return `system BLAS: ${importProblem('nblas', e)} (matrix products stay on wasm's XNNPACK)`
  }
  registerBlasKernels(blas)
  return null
}

/** Why a package could not be imported, in one line. */
function importProblem(pkg: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException
  if ((err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') && err.message.includes(pkg)) return `${pkg} is not installed`
  const line = String(err?.message ?? e).split('\n')[0]
  return `${pkg} does not load: ${line.length > 160 ? `${line.slice(0, 160)}…` : line}`
}

/** Activates a backend; null when it is in use, else why it cannot be. */
type Loader = (system: BackendSystem) => Promise<string | null>

async function activate(name: string): Promise<string | null> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name ? null : `tfjs could not start its "${name}" backend`
  } catch (e) {
    return `tfjs could not start its "${name}" backend: ${String((e as Error)?.message ?? e).split('\n')[0]}`
  }
}

const native =
  (pkg: string): Loader =>
  async (system) => {
    try {
      await system.importPackage(pkg)
    } catch (e) {
      return importProblem(pkg, e)
    }
    return activate('tensorflow')
  }

/** Dawn's navigator.gpu must exist before tfjs-backend-webgpu is imported: the import registers "webgpu" only if it does. */
const webgpu: Loader = async (system) => {
  const verdict = await system.webgpu()
  if (!verdict.ok) return verdict.problem
  try {
    const dawn = (await system.importPackage(WEBGPU_PACKAGE)) as { create(flags: string[]): unknown; globals: object }
    Object.assign(globalThis, dawn.globals)
    const g = globalThis as { navigator?: { gpu?: unknown } }
    // Node 21+ has a navigator object of its own; older Node and a utility process may not.
    if (!g.navigator) g.navigator = {}
    if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: dawn.create([]), configurable: true })
  } catch (e) {
    return importProblem(WEBGPU_PACKAGE, e)
  }
  try {
    await system.importPackage('@tensorflow/tfjs-backend-webgpu')
  } catch (e) {
    return importProblem('@tensorflow/tfjs-backend-webgpu', e)
  }
  return activate('webgpu')
}

const wasm: Loader = async (system) => {
  try {
    await system.importPackage('@tensorflow/tfjs-backend-wasm')
  } catch (e) {
    return importProblem('@tensorflow/tfjs-backend-wasm', e)
  }
  // tfjs-wasm has no Conv2DBackpropFilter kernel (conv networks need ours), and its Identity copies.
  registerWasmKernels()
  return activate('wasm')
}

/** Notes about the backend in use that explain a slower run (only wasm has one: the system BLAS). */
async function backendNotes(name: BackendName, system: BackendSystem): Promise<string[]> {
  if (name !== 'wasm') return []
  const problem = await useSystemBlas(system)
  return problem ? [problem] : []
}

const loaders: Record<BackendName, Loader> = {
  'node-gpu': native('@tensorflow/tfjs-node-gpu'),
  webgpu,
  node: native('@tensorflow/tfjs-node'),
  wasm,
  cpu: () => activate('cpu'),
}

/**
 * Backends `auto` passes over for reinforcement-learning agents, and why. Their networks are
 * small: tfjs-backend-webgpu's cost per kernel in Node outweighs the GPU (measured on an H200,
 * docs/benchmarks.md "GPU"). The VAE's larger convolutions are faster there; a forced webgpu
 * still trains an agent on it.
 */
export const AGENT_AUTO_PASSES_OVER: Partial<Record<BackendName, string>> = {
  webgpu: "not chosen for agents: their small networks train faster on the CPU (Snake's DQN: 38 grad steps/s on an H200 through webgpu, 96 on two CPU cores through wasm)",
}

/**
 * Activates the first backend that loads (`auto`) or the one asked for. A forced backend that
 * cannot load is an error naming why, as for node-gpu: a run on a backend other than the one
 * asked for would not be the run the user meant. `passOver`: backends `auto` does not try, with why.
 */
export async function chooseBackend(choice: BackendChoice, system: BackendSystem = realSystem, passOver: Partial<Record<BackendName, string>> = {}): Promise<BackendSelection> {
  const candidates = choice === 'auto' ? BACKEND_ORDER : [choice]
  const skipped: string[] = []
  for (const name of candidates) {
    const reason = choice === 'auto' ? passOver[name] : undefined
    const problem = reason ?? (await loaders[name](system))
    if (problem === null) {
      await tf.ready()
      return { backend: name, skipped: [...skipped, ...(await backendNotes(name, system))] }
    }
    skipped.push(`${name}: ${problem}`)
  }
  throw new Error(
    choice === 'auto' ? `no tfjs backend could be loaded (${skipped.join('; ')})` : unavailableMessage(choice, skipped[0].slice(choice.length + 2)),
  )
}

/** Activates a backend; returns its name. A forced backend that cannot load is an error. */
export async function selectBackend(choice: BackendChoice, system: BackendSystem = realSystem, passOver: Partial<Record<BackendName, string>> = {}): Promise<BackendName> {
  return (await chooseBackend(choice, system, passOver)).backend
}
