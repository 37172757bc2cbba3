/**
 * Whether a forced native or GPU tfjs backend can load here, checked before a run is created:
 * the trainer would find out only after the run (and the database) were written. The package
 * (or Dawn, for webgpu) is loaded in a throwaway process, so libtensorflow, CUDA and GPU
 * drivers never load into the host.
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import type { BackendChoice } from '../../shared/api'
import { probeWebGpu } from './webgpu-probe'

const NATIVE_PACKAGES: Partial<Record<BackendChoice, string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
}

/** What to install for a backend. */
export function installHint(choice: BackendChoice): string {
  if (choice === 'node-gpu') return '@tensorflow/tfjs-node-gpu with CUDA'
  if (choice === 'node') return '@tensorflow/tfjs-node'
  if (choice === 'webgpu') return 'the webgpu package and a Vulkan, Metal or Direct3D 12 GPU driver'
  return 'the tfjs package'
}

/** The one line for a forced backend that cannot load here, from the host's check and from the trainer alike. */
export function unavailableMessage(choice: BackendChoice, why: string): string {
  return `backend "${choice}" is not available on this machine (${why}); install ${installHint(choice)}, or choose "auto"`
}

const probes = new Map<BackendChoice, Promise<string | null>>()

/**
 * Why a forced backend cannot load on this machine, or null (also for wasm, cpu and auto).
 * Asynchronous (a host's event loop keeps serving) and asked once per process: what is
 * installed does not change while a host runs.
 */
export function backendProblem(choice: BackendChoice): Promise<string | null> {
  let probe = probes.get(choice)
  if (!probe) probes.set(choice, (probe = probeBackend(choice)))
  return probe
}

async function probeBackend(choice: BackendChoice): Promise<string | null> {
  const pkg = NATIVE_PACKAGES[choice]
  // Electron's binary runs as plain Node only while its RunAsNode fuse is on; there the trainer
  // (a utility process) reports the backend instead, as the run's failure reason.
  if (process.versions.electron) return null
  if (choice === 'webgpu') {
    const verdict = await probeWebGpu()
    return verdict.ok ? null : unavailableMessage(choice, verdict.problem)
  }
  if (!pkg) return null
  let entry: string
  try {
    entry = createRequire(import.meta.url).resolve(pkg)
  } catch {
    return unavailableMessage(choice, `${pkg} is not installed`)
  }
  const stderr = await new Promise<string | null>((resolve) => {
    execFile(process.execPath, ['-e', `require(${JSON.stringify(entry)})`], { timeout: 120_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, _out, err) =>
      resolve(error ? `${err}\n${error.message}` : null),
    )
  })
  if (stderr === null) return null
  const line = stderr.split('\n').find((l) => /^\w*Error\b/.test(l)) ?? 'it failed to load'
  const reason = line.replace(/^\w*Error:\s*/, '').trim()
  return unavailableMessage(choice, `${pkg} does not load: ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}`)
}
