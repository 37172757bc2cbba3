/**
 * Whether this machine has a WebGPU adapter that tfjs-backend-webgpu can use, asked of Dawn's
 * Node binding (the optional `webgpu` package). requestAdapter can hang or crash on a bad GPU
 * driver, so under Node the question is asked in a throwaway process with a time limit, and
 * Dawn's own warnings there (its stderr) say why there is none. Packaged Electron cannot run its
 * binary as Node (the RunAsNode fuse is off), so there it is asked in-process, under the same
 * time limit. The verdict is kept for the life of the process: drivers do not change under it.
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

export const WEBGPU_PACKAGE = 'webgpu'
export const WEBGPU_PROBE_TIMEOUT_MS = 20_000

/** What the probe learned: an adapter's description, or why there is none (one line). */
export type WebGpuVerdict = { ok: true; adapter: string } | { ok: false; problem: string }

export interface WebGpuProbeOptions {
  /** The module to ask (default: the installed `webgpu` package); a test points this at a stand-in for the system's GPU. */
  entry?: string
  timeoutMs?: number
}

interface AdapterAnswer {
  adapter: string | null
  fallback?: boolean
}

/**
 * Asks Dawn for an adapter and a device. Self-contained: its source is also sent, as text, to
 * the throwaway probe process, so it may use nothing from this module's scope.
 */
async function askAdapter(mod: { create(flags: string[]): unknown; globals: object }): Promise<AdapterAnswer> {
  Object.assign(globalThis, mod.globals)
  interface Adapter {
    isFallbackAdapter?: boolean
    info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
    requestDevice(): Promise<{ destroy(): void }>
  }
  const gpu = mod.create([]) as { requestAdapter(o: object): Promise<Adapter | null> }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) return { adapter: null }
  const info = adapter.info ?? {}
  const name = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unnamed adapter'
  const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false
  ;(await adapter.requestDevice()).destroy()
  return { adapter: name, fallback }
}

const verdicts = new Map<string, Promise<WebGpuVerdict>>()

/** The verdict for this machine, probed once per process (per entry). */
export function probeWebGpu(options: WebGpuProbeOptions = {}): Promise<WebGpuVerdict> {
  let entry = options.entry
  if (!entry) {
    try {
      entry = createRequire(import.meta.url).resolve(WEBGPU_PACKAGE)
    } catch {
      return Promise.resolve({ ok: false, problem: `the ${WEBGPU_PACKAGE} package is not installed` })
    }
  }
  const key = `${entry}\0${options.timeoutMs ?? ''}`
  let verdict = verdicts.get(key)
  if (!verdict) verdicts.set(key, (verdict = (process.versions.electron ? askInProcess : askInChild)(entry, options.timeoutMs ?? WEBGPU_PROBE_TIMEOUT_MS)))
  return verdict
}

function judge(answer: AdapterAnswer, dawnSaid: string): WebGpuVerdict {
  if (answer.adapter === null) return { ok: false, problem: `no adapter (${dawnSaid || 'Dawn found no Vulkan, Metal or Direct3D 12 GPU'})` }
  // A CPU (software) adapter such as SwiftShader or lavapipe trains slower than wasm; tests take it
  // (QUARKADE_WEBGPU_SOFTWARE=1) to run tfjs-backend-webgpu's shaders on a machine without a GPU.
  if (answer.fallback && process.env.QUARKADE_WEBGPU_SOFTWARE !== '1') return { ok: false, problem: `only a software adapter (${answer.adapter}), slower than wasm` }
  return { ok: true, adapter: answer.adapter }
}

/** The first thing Dawn warned about, e.g. "Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file". */
function firstWarning(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^(Warning|Error)\b/.test(l) || /error/i.test(l))
  return (line ?? '').replace(/^(Warning|Error):\s*/, '').slice(0, 200)
}

function askInChild(entry: string, timeoutMs: number): Promise<WebGpuVerdict> {
  const script =
    `import(process.argv[1]).then((m) => (${askAdapter.toString()})(m)).then(` +
    `(a) => { process.stdout.write(JSON.stringify(a)); process.exit(0) },` +
    `(e) => { process.stderr.write('Error: ' + String(e && e.message || e).split('\\n')[0] + '\\n'); process.exit(2) })`
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', script, pathToFileURL(entry).href],
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
      (error, stdout, stderr) => {
        const dawnSaid = firstWarning(stderr)
        if (error?.killed && !error.code) return resolve({ ok: false, problem: `no adapter within ${timeoutMs / 1000} s (requestAdapter hung; the GPU driver may be broken)` })
        if (error?.signal) return resolve({ ok: false, problem: `the adapter probe crashed (${error.signal})${dawnSaid ? `: ${dawnSaid}` : ''}; the GPU driver may be broken` })
        if (error) return resolve({ ok: false, problem: `the ${WEBGPU_PACKAGE} package does not load: ${dawnSaid || error.message.split('\n')[0]}` })
        try {
          resolve(judge(JSON.parse(stdout) as AdapterAnswer, dawnSaid))
        } catch {
          resolve({ ok: false, problem: `the adapter probe ended without an answer${dawnSaid ? `: ${dawnSaid}` : ''}` })
        }
      },
    )
  })
}

async function askInProcess(entry: string, timeoutMs: number): Promise<WebGpuVerdict> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<WebGpuVerdict>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problem: `no adapter within ${timeoutMs / 1000} s (requestAdapter hung; the GPU driver may be broken)` }), timeoutMs)
  })
  const asked = import(/* @vite-ignore */ pathToFileURL(entry).href)
    .then((m: Parameters<typeof askAdapter>[0]) => askAdapter(m))
    .then(
      (a) => judge(a, ''),
      (e: unknown): WebGpuVerdict => ({ ok: false, problem: `the ${WEBGPU_PACKAGE} package does not load: ${String((e as Error)?.message ?? e).split('\n')[0]}` }),
    )
  try {
    return await Promise.race([asked, hung])
  } finally {
    clearTimeout(timer)
  }
}
