/** Small helpers for the benches: timing, medians and the JSON-lines output. */
import { Rng } from '../src/core/rng'

export const now = (): number => performance.now()

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Calls `chunk()` (which does `perChunk` units of work) until `seconds` have passed;
 * returns units per second. Checking the clock once per chunk keeps it out of the loop.
 */
export function rate(seconds: number, perChunk: number, chunk: () => void): number {
  let units = 0
  const t0 = now()
  let t = t0
  while (t - t0 < seconds * 1000) {
    chunk()
    units += perChunk
    t = now()
  }
  return units / ((t - t0) / 1000)
}

/** Wins over the last `window` episodes, as a fraction; null until the window is full. */
export class WinRate {
  private readonly ring: Uint8Array
  private n = 0
  private wins = 0
  constructor(readonly window = 100) {
    this.ring = new Uint8Array(window)
  }
  push(won: boolean): number | null {
    const i = this.n % this.window
    this.wins += (won ? 1 : 0) - this.ring[i]
    this.ring[i] = won ? 1 : 0
    this.n++
    return this.n >= this.window ? this.wins / this.window : null
  }
}

export interface BenchResult {
  value: number | null
  unit: string
  [extra: string]: unknown
}

/** Rounds to `digits` significant digits, for readable JSON. */
export const round = (x: number, digits = 4): number => Number(x.toPrecision(digits))

/*
 * The env benches (catch, snake, racer) each write their own stepping loop on purpose: one shared
 * helper would make its env.step call site polymorphic once several envs run in one process, and
 * V8 would then measure its megamorphic dispatch rather than the env.
 */

/** Precomputed random actions in [0, nActions), so the RNG is not what an env bench measures. */
export function randomActions(n: number, nActions: number, seed = 1): Int32Array {
  const rng = new Rng(seed)
  return Int32Array.from({ length: n }, () => rng.int(0, nActions))
}
