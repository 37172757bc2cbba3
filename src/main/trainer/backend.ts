/**
 * Picks the tfjs backend for a trainer process: the fastest one that loads —
 * tfjs-node-gpu (CUDA) → tfjs-node (libtensorflow CPU) → wasm → cpu — unless a
 * setting forces one. The native packages are optional dependencies; where they
 * failed to install, their import throws and the next one is tried.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendChoice } from '../../shared/api'
import { registerWasmConvGrad } from '../../core/nn/wasm-conv-grad'
import { installHint } from './backend-probe'

export type BackendName = Exclude<BackendChoice, 'auto'>

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ pkg)
    return (await tf.setBackend('tensorflow')) && tf.getBackend() === 'tensorflow'
  } catch {
    return false
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm')
    // tfjs-wasm has no Conv2DBackpropFilter kernel; conv networks need ours.
    registerWasmConvGrad()
    return await tf.setBackend('wasm')
  } catch {
    return false
  }
}

const loaders: Record<BackendName, () => Promise<boolean>> = {
  'node-gpu': () => tryNative('@tensorflow/tfjs-node-gpu'),
  node: () => tryNative('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: () => tf.setBackend('cpu'),
}

export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu']

/** Activates a backend; returns its name. A forced backend that cannot load is an error. */
export async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  const candidates = choice === 'auto' ? BACKEND_ORDER : [choice]
  for (const name of candidates) {
    if (await loaders[name]()) {
      await tf.ready()
      return name
    }
  }
  throw new Error(
    choice === 'auto'
      ? 'no tfjs backend could be loaded'
      : `backend "${choice}" is not available on this machine (install ${installHint(choice)}), or choose "auto"`,
  )
}
