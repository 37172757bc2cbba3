/**
 * The webgpu backend's kernels, run for real on a machine without a GPU: Chromium ships
 * SwiftShader (a Vulkan driver on the CPU) and a Vulkan loader, and Dawn accepts it. The probe
 * turns software adapters down for runs (slower than wasm); QUARKADE_WEBGPU_SOFTWARE=1 lets this
 * test use it. A DQN trained on webgpu must do what the same seed does on cpu: the same actions,
 * the same losses and Q-values to float precision — every read on the training path asynchronous,
 * since webgpu cannot read synchronously in Node. Speed on a real GPU: docs/benchmarks.md, "GPU".
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const CHROMIUM = '/usr/lib/chromium'
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`

interface Catch {
  actions: number[][]
  losses: number[]
  q: number[]
}

describe.skipIf(!existsSync(ICD))('webgpu on SwiftShader (Chromium\'s Vulkan on the CPU)', () => {
  it('a Catch DQN trains on webgpu exactly as on cpu', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/fixtures/webgpu-train.ts'], {
      env: { ...process.env, LD_LIBRARY_PATH: CHROMIUM, VK_ICD_FILENAMES: ICD, QUARKADE_WEBGPU_SOFTWARE: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    })
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<'cpu' | 'webgpu', { backend: string; tfBackend: string; catch: Catch }>
    expect(result.webgpu.backend).toBe('webgpu')
    expect(result.webgpu.tfBackend).toBe('webgpu')
    const [cpu, gpu] = [result.cpu.catch, result.webgpu.catch]
    expect(gpu.actions).toEqual(cpu.actions)
    expect(gpu.losses.every(Number.isFinite)).toBe(true)
    gpu.losses.forEach((l, i) => expect(l).toBeCloseTo(cpu.losses[i], 5))
    gpu.q.forEach((v, i) => expect(v).toBeCloseTo(cpu.q[i], 5))
    // Learning happened: not every episode's loss is the first one's.
    expect(new Set(gpu.losses).size).toBeGreaterThan(1)
  }, 150_000)
})
