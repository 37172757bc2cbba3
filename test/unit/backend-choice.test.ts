/**
 * Backend choice: node-gpu → webgpu → node → wasm → cpu, and why each faster one was skipped.
 *
 * The selection-order tests stand in for the machine at one boundary only, BackendSystem: which
 * packages import (a missing one throws Node's ERR_MODULE_NOT_FOUND; a present native or WebGPU
 * package registers a tfjs backend under its real name, computing on tfjs's CPU kernels) and
 * whether Dawn finds a GPU adapter. Everything above that boundary — the order, the skip lines,
 * the errors, tfjs's backend switch — is the real code. The probe tests run real child processes
 * against stand-in `webgpu` modules (test/fixtures/webgpu-*.mjs) that hang or crash the way a
 * bad GPU driver does. The rest uses this machine as it is, where Dawn finds no adapter.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_AUTO_PASSES_OVER, BACKEND_ORDER, chooseBackend, realSystem, type BackendName, type BackendSystem } from '../../src/main/trainer/backend'
import { backendProblem } from '../../src/main/trainer/backend-probe'
import { probeWebGpu } from '../../src/main/trainer/webgpu-probe'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import type { RunSummary } from '../../src/shared/api'

const fixture = (name: string): string => path.resolve(import.meta.dirname, '../fixtures', name)

const NATIVE_PACKAGES: Record<string, string> = { '@tensorflow/tfjs-node-gpu': 'node-gpu', '@tensorflow/tfjs-node': 'node' }

/** A machine where the given backends' packages (and, for webgpu, a GPU adapter) exist. */
function machine(available: ReadonlySet<BackendName>): BackendSystem {
  const notInstalled = (pkg: string): Error => Object.assign(new Error(`Cannot find package '${pkg}' imported from backend.ts`), { code: 'ERR_MODULE_NOT_FOUND' })
  return {
    webgpu: async () => (available.has('webgpu') ? { ok: true, adapter: 'Test GPU' } : { ok: false, problem: 'no adapter (Couldn\'t load Vulkan: libvulkan.so.1: cannot open shared object file)' }),
    async importPackage(pkg) {
      const native = NATIVE_PACKAGES[pkg]
      if (native) {
        if (!available.has(native as BackendName)) throw notInstalled(pkg)
        tf.registerBackend('tensorflow', () => new MathBackendCPU())
        return {}
      }
      if (pkg === 'webgpu') return { globals: { GPUBufferUsage: { STORAGE: 128 } }, create: () => ({ requestAdapter: async () => null }) }
      if (pkg === '@tensorflow/tfjs-backend-webgpu') {
        // As the real package does: it registers "webgpu" only where navigator.gpu already exists.
        if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) tf.registerBackend('webgpu', () => new MathBackendCPU())
        return {}
      }
      if (pkg === '@tensorflow/tfjs-backend-wasm' && !available.has('wasm')) throw notInstalled(pkg)
      return realSystem.importPackage(pkg)
    },
  }
}

afterEach(() => {
  // Each machine starts without the backends another one registered.
  for (const name of ['tensorflow', 'webgpu']) if (tf.findBackendFactory(name)) tf.removeBackend(name)
  delete (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu
})

describe('auto picks the fastest backend that loads, and says why the faster ones did not', () => {
  const subsets: BackendName[][] = [[], ['node-gpu'], ['webgpu'], ['node'], ['node-gpu', 'webgpu', 'node'], ['webgpu', 'node'], ['node-gpu', 'node']]
  it.each(subsets.map((s) => [s.join('+') || 'none of the native or GPU ones', s] as const))('available: %s (and wasm)', async (_, subset) => {
    const available = new Set<BackendName>([...subset, 'wasm', 'cpu'])
    const expected = BACKEND_ORDER.find((b) => available.has(b))!
    const { backend, skipped } = await chooseBackend('auto', machine(available))
    expect(backend).toBe(expected)
    expect(tf.getBackend()).toBe(expected === 'node-gpu' || expected === 'node' ? 'tensorflow' : expected)
    expect(skipped.map((l) => l.split(':')[0])).toEqual(BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(expected)))
    for (const line of skipped) expect(line.split('\n')).toHaveLength(1)
    if (skipped.length) expect(skipped[0]).toBe('node-gpu: @tensorflow/tfjs-node-gpu is not installed')
    if (expected !== 'webgpu' && expected !== 'node-gpu') expect(skipped).toContain('webgpu: no adapter (Couldn\'t load Vulkan: libvulkan.so.1: cannot open shared object file)')
  })

  it('passes over the backends it is told to (webgpu for agents), saying why, and only under auto', async () => {
    const { backend, skipped } = await chooseBackend('auto', machine(new Set(['webgpu', 'wasm', 'cpu'])), AGENT_AUTO_PASSES_OVER)
    expect(backend).toBe('wasm')
    expect(skipped[1]).toBe(`webgpu: ${AGENT_AUTO_PASSES_OVER.webgpu}`)
    expect((await chooseBackend('webgpu', machine(new Set(['webgpu', 'wasm', 'cpu'])), AGENT_AUTO_PASSES_OVER)).backend).toBe('webgpu')
  })

  it('falls to cpu where wasm does not load either', async () => {
    const { backend, skipped } = await chooseBackend('auto', machine(new Set(['cpu'])))
    expect(backend).toBe('cpu')
    expect(skipped.at(-1)).toBe('wasm: @tensorflow/tfjs-backend-wasm is not installed')
  })

  it('puts Dawn\'s navigator.gpu in place before tfjs-backend-webgpu is imported', async () => {
    expect((await chooseBackend('auto', machine(new Set(['webgpu', 'wasm'])))).backend).toBe('webgpu')
    expect(typeof (globalThis as unknown as { GPUBufferUsage: { STORAGE: number } }).GPUBufferUsage.STORAGE).toBe('number')
  })
})

describe('a forced backend', () => {
  it('that is available is used, with nothing skipped', async () => {
    expect(await chooseBackend('webgpu', machine(new Set(['webgpu'])))).toEqual({ backend: 'webgpu', skipped: [] })
  })

  it('that is not available is an error naming why, as node-gpu is — never another backend', async () => {
    const before = tf.getBackend()
    await expect(chooseBackend('webgpu', machine(new Set(['wasm'])))).rejects.toThrow(
      'backend "webgpu" is not available on this machine (no adapter (Couldn\'t load Vulkan: libvulkan.so.1: cannot open shared object file)); install the webgpu package and a Vulkan, Metal or Direct3D 12 GPU driver, or choose "auto"',
    )
    await expect(chooseBackend('node-gpu', machine(new Set(['wasm'])))).rejects.toThrow(
      'backend "node-gpu" is not available on this machine (@tensorflow/tfjs-node-gpu is not installed); install @tensorflow/tfjs-node-gpu with CUDA, or choose "auto"',
    )
    expect(tf.getBackend()).toBe(before)
  })
})

describe('the WebGPU adapter probe', () => {
  it('gives up on a driver that never answers, in one line, within its time limit', async () => {
    const verdict = await probeWebGpu({ entry: fixture('webgpu-hangs.mjs'), timeoutMs: 1500 })
    expect(verdict).toEqual({ ok: false, problem: 'no adapter within 1.5 s (requestAdapter hung; the GPU driver may be broken)' })
  })

  it('survives a driver that crashes the process, and passes on what the driver said', async () => {
    const verdict = await probeWebGpu({ entry: fixture('webgpu-crashes.mjs'), timeoutMs: 20_000 })
    expect(verdict).toEqual({ ok: false, problem: 'the adapter probe crashed (SIGSEGV): vkCreateInstance failed with VK_ERROR_INITIALIZATION_FAILED; the GPU driver may be broken' })
  })

  it('asks once per process', () => {
    expect(probeWebGpu()).toBe(probeWebGpu())
  })
})

/** Whether this machine has a usable GPU for either GPU backend (then there is no fallback to see here). */
const hasGpu = (await probeWebGpu()).ok || (await backendProblem('node-gpu')) === null

describe.skipIf(hasGpu)('on this machine (no GPU adapter)', () => {
  let dataDir: string
  let services: Services
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-backend-'))
    services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
  })
  afterAll(async () => {
    await services.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('auto lands on wasm, having tried webgpu, and says what Dawn found', async () => {
    const { backend, skipped } = await chooseBackend('auto')
    expect(backend).toBe('wasm')
    expect(skipped.find((l) => l.startsWith('webgpu: '))).toMatch(/^webgpu: no adapter \(.+\)$/)
  })

  it('an agent\'s run records its backend and why webgpu was not tried', async () => {
    const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 1, episodes: 5 })) as RunSummary
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('completed')
    expect(final.backend).toBe('wasm')
    expect(final.backendSkipped.map((l) => l.split(':')[0])).toEqual(['node-gpu', 'webgpu', 'node'])
    expect(final.backendSkipped[1]).toBe(`webgpu: ${AGENT_AUTO_PASSES_OVER.webgpu}`)
    expect(services.store.getRun(run.id).backendSkipped).toEqual(final.backendSkipped)
  })

  it('runs.start with backend webgpu is refused in one line, and no run is created', async () => {
    await expect(services.api.handle('runs.start', { env: 'catch', algo: 'dqn', backend: 'webgpu', episodes: 5 })).rejects.toThrow(
      /^backend "webgpu" is not available on this machine \(no adapter \(.+\)\); install the webgpu package and a Vulkan, Metal or Direct3D 12 GPU driver, or choose "auto"$/,
    )
    expect(services.store.listRuns().filter((r) => r.config.backend === 'webgpu')).toEqual([])
  })
})
