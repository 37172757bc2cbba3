/**
 * Loads h5wasm's Node build once per process (it is ESM-only and its wasm takes ~0.3 s to start),
 * with the LZF filter plugin (h5py's filter 32000) from h5wasm-plugins on HDF5's plugin path.
 *
 * HDF5 errors. libhdf5's default error handler prints its error stack on stderr (fd 2, which
 * h5wasm's Node build writes with fs.writeSync) and the failing call returns a negative status.
 * h5wasm also offers a handler that throws instead, but that exception unwinds through libhdf5's C
 * code and skips its cleanup: a failed open then leaks the file descriptor, a failed read leaks the
 * dataset (and so the file) handle. So we keep the default handler and run every libhdf5 call
 * through captureHdf5, which catches what it prints and hands it back as the error text.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type * as H5 from 'h5wasm'

export type H5Lib = typeof H5

let loading: Promise<H5Lib> | null = null

/** The h5wasm module, ready to open files from the host filesystem. */
export function loadH5wasm(): Promise<H5Lib> {
  loading ??= load().catch((e) => {
    loading = null
    throw e
  })
  return loading
}

async function load(): Promise<H5Lib> {
  // In Electron's main process `navigator` exists, which makes Emscripten think it runs on the web
  // (h5wasm's README): hide it while the module initialises.
  const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
  const hide = nav?.configurable === true && typeof (globalThis as { process?: { versions?: { electron?: string } } }).process?.versions?.electron === 'string'
  if (hide) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true })
  let lib: H5Lib
  try {
    lib = (await import('h5wasm/node')) as unknown as H5Lib
    await lib.ready
  } finally {
    if (hide && nav) Object.defineProperty(globalThis, 'navigator', nav)
  }
  const module = lib.Module
  const plugins = lzfPluginDir()
  if (plugins && !module.get_plugin_search_paths().includes(plugins)) module.insert_plugin_search_path(plugins, 0)
  return lib
}

export type Captured<T> = { ok: true; value: T; diagnostics: string } | { ok: false; error: unknown; diagnostics: string }

let capturing = 0
let captured: string[] = []

/**
 * Runs a (synchronous) libhdf5 call, catching what libhdf5 prints on stderr meanwhile instead of
 * letting it reach the terminal. Returns the value or the exception, with that text.
 */
export function captureHdf5<T>(fn: () => T): Captured<T> {
  const outer = capturing === 0
  const original = fs.writeSync
  if (outer) {
    captured = []
    fs.writeSync = function (this: unknown, fd: number, buffer: unknown, ...rest: unknown[]): number {
      if (fd === 2 && ArrayBuffer.isView(buffer)) {
        const offset = typeof rest[0] === 'number' ? rest[0] : 0
        const length = typeof rest[1] === 'number' ? rest[1] : buffer.byteLength - offset
        captured.push(Buffer.from(buffer.buffer, buffer.byteOffset + offset, length).toString('utf8'))
        return length
      }
      return (original as (...a: unknown[]) => number).call(this, fd, buffer, ...rest)
    } as typeof fs.writeSync
  }
  capturing++
  try {
    const value = fn()
    return { ok: true, value, diagnostics: captured.join('') }
  } catch (error) {
    return { ok: false, error, diagnostics: captured.join('') }
  } finally {
    capturing--
    if (outer) fs.writeSync = original
  }
}

/** The folder holding libH5Zlzf.so (unpacked from the asar archive in a packaged app), or null. */
export function lzfPluginDir(): string | null {
  try {
    const require = createRequire(import.meta.url)
    const pkg = require.resolve('h5wasm-plugins/package.json')
    return path.join(path.dirname(pkg), 'plugins').replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`)
  } catch {
    return null
  }
}

/**
 * Filters we can decode: libhdf5's built-in deflate, shuffle, fletcher32, szip, nbit and
 * scale-offset, plus the plugins h5wasm-plugins ships (LZF, and blosc, blosc2, bitshuffle, bzip2,
 * lz4, zstd, zfp, jpeg, bitgroom, bitround, which libhdf5 finds on the same plugin path).
 */
export const READABLE_FILTERS = new Set([1, 2, 3, 4, 5, 6, 307, 32000, 32001, 32004, 32008, 32013, 32015, 32019, 32022, 32023, 32026])
