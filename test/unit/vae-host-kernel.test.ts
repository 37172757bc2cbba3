/**
 * The seed preset's layout at a scaled size: dense kernels in host memory (outside
 * the wasm heap) must train exactly like tf.Variable kernels, resume exactly, and
 * save/load as the same artifacts. The full-size seed preset is measured by hand
 * (docs/benchmarks.md, issue 12): ≈ 4 GB of host memory and seconds per step.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { Rng } from '../../src/core/rng'
import { defaults } from '../../src/core/params'
import { VAE_PARAMS } from '../../src/core/vae/params'
import { HostKernel, adamDefaults } from '../../src/core/vae/host-kernel'
import { HOST_PEAK_FACTOR, VaeModel, WASM_MAX_PARAMETERS, hostKernelNames, hostMemoryBytes, parameterCount, resolveArch, type VaeArch } from '../../src/core/vae/model'
import { generatedJets, memorySource } from '../../src/core/vae/data'
import { readTrainingState, writeTrainingState } from '../../src/main/trainer/model-files'
import { VaeTrainer, type VaeProgress } from '../../src/core/vae/train'

const L = 125 * 125 * 3

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

const jets = (n: number): { images: Float32Array; y: Float32Array } => generatedJets(n, 4)

async function steps(t: VaeTrainer, n: number): Promise<VaeProgress[]> {
  const out: VaeProgress[] = []
  for await (const p of t.train()) {
    out.push(p)
    if (out.length >= n) break
  }
  return out
}

/** The seed preset's shape (Conv 3×3 → Dense latent) with fewer filters and a smaller latent. */
const SCALED: Partial<VaeArch> = { encoderFilters: [4, 8], decoderFilters: [4] }
const params = { ...defaults(VAE_PARAMS), preset: 'seed', latent_dim: 16, batch_size: 4, epochs: 2, seed: 3 }

describe('host-memory dense kernels', () => {
  it('x·W in row chunks gives the same value and gradients as a tf.Variable kernel', () => {
    const rng = new Rng(1)
    const rows = 37
    const cols = 11
    const k = new HostKernel('test/kernel', rows, cols, 5 * cols) // 8 chunks of ≤ 5 rows
    k.initGlorot(7)
    const xs = Float32Array.from({ length: 3 * rows }, () => rng.random() - 0.5)
    const target = Float32Array.from({ length: 3 * cols }, () => rng.random())
    const w = tf.variable(tf.tensor2d(k.value.slice(), [rows, cols]))
    const x = tf.variable(tf.tensor2d(xs, [3, rows]))
    const loss = (y: tf.Tensor2D): tf.Scalar => tf.sum(tf.square(tf.sub(y, tf.tensor2d(target, [3, cols]))))
    const ref = tf.variableGrads(() => loss(tf.matMul(x, w)), [x, w])
    const host = tf.variableGrads(() => loss(k.matMul(x)), [x])
    expect(host.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0], 4)
    const close = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
      expect(a.length).toBe(b.length)
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4)
    }
    close(host.grads[x.name].dataSync(), ref.grads[x.name].dataSync())
    expect(k.gradReady).toBe(true)
    close(k.grad, ref.grads[w.name].dataSync())
    // Adam: the same step as tfjs's optimizer on the same gradient.
    const opt = tf.train.adam(0.01)
    opt.applyGradients([{ name: w.name, tensor: ref.grads[w.name] }])
    k.adamStep(adamDefaults(0.01), [0.9, 0.999], 1)
    close(k.value, w.dataSync())
    expect(() => k.adamStep(adamDefaults(0.01), [0.81, 0.998], 1)).toThrow(/no gradient for test\/kernel/)
    tf.dispose([w, x, ref.value, host.value, ...Object.values(ref.grads), ...Object.values(host.grads)])
    opt.dispose()
    // The chunks copied to the backend are freed: a forward and backward pass leave behind no more
    // tensors than the same pass through tf.matMul with a backend kernel does.
    const left = (f: (x: tf.Tensor2D) => tf.Tensor2D): number => {
      const before = tf.memory().numTensors
      const xv = tf.variable(tf.tensor2d(xs, [3, rows]))
      const again = tf.variableGrads(() => tf.sum(f(xv)), [xv])
      tf.dispose([xv, again.value, ...Object.values(again.grads)])
      return tf.memory().numTensors - before
    }
    const wk = tf.tensor2d(k.value, [rows, cols])
    expect(left((xv) => k.matMul(xv))).toBe(left((xv) => tf.matMul(xv, wk)))
    wk.dispose()
  })

  it('the seed preset needs host kernels on wasm and says how much memory; the reference preset does not', () => {
    const seed = resolveArch('seed')
    expect(parameterCount(seed)).toBeGreaterThan(WASM_MAX_PARAMETERS)
    expect(hostKernelNames(seed, 'wasm')).toEqual(['encoder/dense/kernel', 'decoder/dense/kernel'])
    expect(hostKernelNames(seed, 'tensorflow')).toEqual([])
    expect(hostKernelNames(resolveArch('reference'), 'wasm')).toEqual([])
    // weights, gradient and two moments of 65 536 × 2 048 + 1 024 × 65 536 floats
    expect(hostMemoryBytes(seed, 'wasm')).toBe(16 * (65536 * 2048 + 1024 * 65536))
    // Filters too big for wasm even without the dense kernels: refused with the reason.
    expect(() => hostKernelNames(resolveArch('seed', 8, { encoderFilters: [3000, 3000], decoderFilters: [3000] }), 'wasm')).toThrow(/outside its dense kernels; the wasm backend can train at most 50 M/)
  })

  it('refuses up front, with the memory it needs and has, when the machine lacks the host memory', () => {
    const arch = resolveArch('seed', 16, SCALED)
    const need = HOST_PEAK_FACTOR * hostMemoryBytes(arch, 'wasm', true)
    expect(() => new VaeModel(arch, 1, { hostKernels: true, availableMemory: need / 4 })).toThrow(/keeps \d+ M weights in host memory .* needs about [\d.]+ GB and this machine has [\d.]+ GB available/)
    new VaeModel(arch, 1, { hostKernels: true, availableMemory: need }).dispose()
    // On the backend (no host kernels), available memory is not the limit.
    new VaeModel(arch, 1, { availableMemory: 1 }).dispose()
  })

  it('trains like the same model with tf.Variable kernels, from the same weights (125×125×3 generated jets)', async () => {
    const { images, y } = jets(24)
    const onHeap = VaeTrainer.fromValues(memorySource(images, y, L), params, { arch: SCALED })
    const inHost = VaeTrainer.fromValues(memorySource(images, y, L), params, { arch: SCALED, hostKernels: true })
    expect(onHeap.model.hostKernels).toHaveLength(0)
    expect(inHost.model.hostKernels.map((k) => k.name)).toEqual(['encoder/dense/kernel', 'decoder/dense/kernel'])
    // The dense kernels are not tf variables: 2 fewer on the backend.
    expect(inHost.model.variables.length).toBe(onHeap.model.variables.length - 2)
    inHost.model.loadWeights(await onHeap.model.artifacts())
    const a = await steps(onHeap, 8)
    const b = await steps(inHost, 8)
    for (let i = 0; i < a.length; i++) expect(b[i].trainLoss).toBeCloseTo(a[i].trainLoss, 0)
    const rel = Math.abs(b[7].trainLoss - a[7].trainLoss) / a[7].trainLoss
    expect(rel).toBeLessThan(1e-3)
    expect(b[b.length - 1].trainLoss).not.toBe(b[0].trainLoss)
    onHeap.dispose()
    inHost.dispose()
  })

  it('resumes exactly from a checkpoint folder, host kernels and their Adam moments included; artifacts round-trip', async () => {
    const { images, y } = jets(24)
    const src = memorySource(images, y, L)
    const straight = VaeTrainer.fromValues(src, params, { arch: SCALED, hostKernels: true })
    const want = await steps(straight, 9)
    const first = VaeTrainer.fromValues(src, params, { arch: SCALED, hostKernels: true })
    await steps(first, 4)
    const snap = await first.snapshot()
    expect(Object.keys(snap.blobs)).toEqual(expect.arrayContaining(['host-encoder-dense-kernel-m.bin', 'host-decoder-dense-kernel-v.bin']))
    // Through a real checkpoint folder, as the trainer writes and reads it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vae-host-'))
    writeTrainingState(dir, snap.meta, snap.blobs)
    const resumed = await VaeTrainer.restore(src, readTrainingState(dir))
    fs.rmSync(dir, { recursive: true, force: true })
    expect(resumed.model.hostKernels).toHaveLength(2)
    const rest = await steps(resumed, 5)
    expect(rest.map((p) => p.trainLoss)).toEqual(want.slice(4).map((p) => p.trainLoss))
    // The artifacts rebuild the same network on the backend (no host kernels needed at this size).
    const rebuilt = VaeModel.fromArtifacts(await resumed.artifacts())
    expect(rebuilt.hostKernels).toHaveLength(0)
    const x = tf.tensor4d(images.slice(0, 2 * L), [2, 125, 125, 3])
    const mu1 = tf.tidy(() => resumed.model.encode(x).mu.dataSync())
    const mu2 = tf.tidy(() => rebuilt.encode(x).mu.dataSync())
    for (let i = 0; i < mu1.length; i++) expect(mu2[i]).toBeCloseTo(mu1[i], 4)
    x.dispose()
    for (const t of [straight, first, resumed]) t.dispose()
    rebuilt.dispose()
  })
})
