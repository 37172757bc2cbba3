/**
 * Our WebAssembly kernels (SIMD .wat assembled by scripts/build-wasm-kernels.mjs) instantiated on
 * the active tfjs 'wasm' backend's own memory, so they read and write tensors where they lie.
 */
import * as tf from '@tensorflow/tfjs'

/**
 * The part of the WebAssembly API used here, typed locally: core is checked without DOM and
 * Node types (tsconfig.core.json), and both hosts provide it.
 */
interface WasmApi {
  Memory: abstract new (...args: never[]) => object
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> }
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** What our kernels need of tfjs-backend-wasm's BackendWasm (not in its public types). */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: object } }
  dataIdMap: { get(dataId: object): { memoryOffset: number } }
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo
  disposeData(dataId: object, force?: boolean): boolean
}

/** Instances by memory, then by module text (a backend re-created gets new ones). */
const instances = new WeakMap<object, Map<string, unknown>>()

/**
 * The module in `base64` bound to `backend`'s memory (the active wasm backend's when omitted),
 * or null when that is not a wasm backend exposing its memory.
 */
export function wasmHeapModule<T>(base64: string, backend?: object): { backend: WasmBackend; exports: T } | null {
  if (!backend) {
    if (tf.getBackend() !== 'wasm') return null
    backend = tf.backend()
  }
  const b = backend as WasmBackend
  const memory = b.wasm?.asm?.memory
  if (!memory || !(memory instanceof WASM.Memory)) return null
  let byText = instances.get(memory)
  if (!byText) instances.set(memory, (byText = new Map()))
  let exports = byText.get(base64) as T | undefined
  if (!exports) {
    const bytes = Uint8Array.from(atob(base64), (c: string) => c.charCodeAt(0))
    exports = new WASM.Instance(new WASM.Module(bytes), { env: { memory } }).exports as T
    byText.set(base64, exports)
  }
  return { backend: b, exports }
}
