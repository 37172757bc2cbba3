/**
 * Seeded pseudo-random numbers (sfc32). Small, fast, and its whole state is four
 * 32-bit words, so a trainer can checkpoint and restore it exactly.
 */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    // splitmix32 expands one seed into four well-mixed words.
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    for (let i = 0; i < 12; i++) this.nextUint32()
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform integer in [lo, hi) — hi exclusive, like numpy's randint. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo))
  }

  getState(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d]
  }

  setState(state: readonly number[]): void {
    ;[this.a, this.b, this.c, this.d] = state.map((v) => v >>> 0)
  }
}

/** Derives an independent 32-bit seed from a base seed and a stream index (e.g. episode number). */
export function deriveSeed(base: number, index: number): number {
  let z = (Math.imul(base >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0
  z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d)
  z = Math.imul(z ^ (z >>> 12), 0x297a2d39)
  return (z ^ (z >>> 15)) >>> 0
}

// --- samplers on top of Rng (the generators share them) ---

/** Standard normal (Box–Muller). */
export function normal(rng: Rng): number {
  let u = rng.random()
  while (u <= 1e-12) u = rng.random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random())
}

/** Exponential with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -mean * Math.log(1 - rng.random())
}

/** Poisson with the given mean (normal approximation above 60). */
export function poisson(rng: Rng, mean: number): number {
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)))
  const limit = Math.exp(-mean)
  let k = 0
  let p = rng.random()
  while (p > limit) {
    k++
    p *= rng.random()
  }
  return k
}
