/**
 * The WebGPU backend (TensorFlow.js on Dawn's Node binding) on this machine's GPU: is it there,
 * does it compute what the cpu backend computes, and how fast does it train. Prints JSON lines
 * like bench/run.ts:
 *   webgpu_adapter                          the adapter Dawn found (or, with skipped, why there is none)
 *   backend_auto                            what `auto` picks here, and why it skipped the faster ones
 *   webgpu_matches_cpu                      largest |webgpu − cpu| over a conv layer's output and gradients
 *   snake_conv_dqn_grad_steps_per_s         qlearning4k's Snake conv Q-network, batch 64, on webgpu
 *   vae_images_per_s                        the reference VAE, batch 32, on webgpu
 * Usage: npm run bench:gpu [-- --require-adapter]
 * Without an adapter it prints one "skipped" line and exits 0 — or 1 with --require-adapter,
 * which is how a GPU machine's check fails loudly (DEVELOPERS.md, "GPU").
 */
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../src/main/trainer/backend'
import { probeWebGpu } from '../src/main/trainer/webgpu-probe'
import { take } from '../src/core/nn/read'
import { snakeConvGradSteps } from './snake'
import { vaeImagesPerS } from './vae'

const requireAdapter = process.argv.includes('--require-adapter')
const line = (o: Record<string, unknown>): void => console.log(JSON.stringify(o))

/** A conv layer's forward pass and both gradients, on the current backend (read back asynchronously: webgpu cannot read synchronously in Node). */
async function convLayer(): Promise<Float32Array[]> {
  const tensors = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from({ length: 4 * 16 * 16 * 3 }, (_, i) => Math.sin(i)), [4, 16, 16, 3])
    const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 3 * 8 }, (_, i) => Math.cos(i) / 9), [3, 3, 3, 8])
    const f = (xs: tf.Tensor4D, ws: tf.Tensor4D): tf.Scalar => tf.relu(tf.conv2d(xs, ws, 2, 'same')).square().mean()
    const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)([x, w])
    return [value, ...grads]
  })
  return Promise.all(tensors.map((t) => take(t)))
}

const verdict = await probeWebGpu()
if (!verdict.ok) {
  line({ bench: 'webgpu_adapter', skipped: `webgpu: ${verdict.problem}` })
  process.exit(requireAdapter ? 1 : 0)
}
line({ bench: 'webgpu_adapter', adapter: verdict.adapter })

const auto = await chooseBackend('auto')
line({ bench: 'backend_auto', backend: auto.backend, skipped: auto.skipped })

await chooseBackend('cpu')
const onCpu = await convLayer()
await chooseBackend('webgpu')
const onGpu = await convLayer()
const diff = Math.max(...onCpu.map((a, k) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - onGpu[k][i])), 0)))
const matches = diff < 1e-3
line({ bench: 'webgpu_matches_cpu', value: diff, unit: 'max abs difference', ok: matches })

const speed = {
  snake_conv_dqn_grad_steps_per_s: () => snakeConvGradSteps('webgpu'),
  vae_images_per_s: () => vaeImagesPerS('webgpu'),
}
for (const [name, run] of Object.entries(speed)) line({ bench: name, ...(await run()) })
// Dawn's navigator.gpu keeps the event loop alive (webgpu's README, "Lifetime").
process.exit(matches ? 0 : 1)
