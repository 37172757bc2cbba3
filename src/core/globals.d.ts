/**
 * The host globals core and shared use. Core is checked without DOM and Node types
 * (tsconfig.core.json) so that it stays runnable in both; Node and browsers
 * both provide these.
 */
interface Performance {
  now(): number
}
declare var performance: Performance
interface Console {
  error(...data: unknown[]): void
  warn(...data: unknown[]): void
  log(...data: unknown[]): void
}
declare var console: Console
declare function atob(data: string): string
/** The part of WebAssembly core uses (nn/wasm-optimizers.ts: a module on the wasm backend's memory). */
declare namespace WebAssembly {
  class Memory {
    readonly buffer: ArrayBuffer
  }
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>)
    readonly exports: Record<string, unknown>
  }
}
