/**
 * qlearning4k's ExperienceReplay: (S, a, r, S', game_over) transitions; a
 * positive memorySize keeps the newest that many, −1 keeps everything. Batches
 * are drawn without replacement, like Python's random.sample.
 */
import type { Rng } from '../rng'

export interface TransitionBatch {
  /** 2·n states: the n sampled S, then their n S' (one predict() call covers both). */
  states: Float32Array
  actions: Int32Array
  rewards: Float32Array
  gameOvers: Uint8Array
}

export class ExperienceReplay {
  private states: Float32Array
  private nextStates: Float32Array
  private actions: Int32Array
  private rewards: Float32Array
  private gameOvers: Uint8Array
  /** Identity permutation of the slots; sample() swaps and then restores it. */
  private order: Int32Array
  private cursor = 0
  size = 0

  constructor(
    readonly memorySize: number,
    readonly stateSize: number,
  ) {
    if (memorySize !== -1 && !(Number.isInteger(memorySize) && memorySize > 0)) {
      throw new Error(`memorySize must be −1 (unbounded) or a positive integer, got ${memorySize}`)
    }
    const slots = memorySize === -1 ? 256 : memorySize
    this.states = new Float32Array(slots * stateSize)
    this.nextStates = new Float32Array(slots * stateSize)
    this.actions = new Int32Array(slots)
    this.rewards = new Float32Array(slots)
    this.gameOvers = new Uint8Array(slots)
    this.order = Int32Array.from({ length: slots }, (_, i) => i)
  }

  private grow(): void {
    const slots = this.actions.length * 2
    const d = this.stateSize
    const bigger = <T extends Float32Array | Int32Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n)
      b.set(a)
      return b
    }
    this.states = bigger(this.states, slots * d)
    this.nextStates = bigger(this.nextStates, slots * d)
    this.actions = bigger(this.actions, slots)
    this.rewards = bigger(this.rewards, slots)
    this.gameOvers = bigger(this.gameOvers, slots)
    this.order = Int32Array.from({ length: slots }, (_, i) => i)
  }

  remember(s: Float32Array, a: number, r: number, sPrime: Float32Array, gameOver: boolean): void {
    if (this.memorySize === -1 && this.size === this.actions.length) this.grow()
    const i = this.cursor
    this.states.set(s, i * this.stateSize)
    this.nextStates.set(sPrime, i * this.stateSize)
    this.actions[i] = a
    this.rewards[i] = r
    this.gameOvers[i] = gameOver ? 1 : 0
    this.cursor = this.memorySize === -1 ? i + 1 : (i + 1) % this.memorySize
    this.size = Math.min(this.size + 1, this.actions.length)
  }

  /** n distinct transitions, uniformly (partial Fisher–Yates). Needs n ≤ size. */
  sample(n: number, rng: Rng, out: TransitionBatch): void {
    if (n > this.size) throw new Error(`cannot sample ${n} transitions from ${this.size}`)
    const d = this.stateSize
    const order = this.order
    const picked = new Int32Array(n)
    for (let k = 0; k < n; k++) {
      const j = rng.int(k, this.size)
      picked[k] = j
      const i = order[j]
      order[j] = order[k]
      order[k] = i
      out.states.set(this.states.subarray(i * d, (i + 1) * d), k * d)
      out.states.set(this.nextStates.subarray(i * d, (i + 1) * d), (n + k) * d)
      out.actions[k] = this.actions[i]
      out.rewards[k] = this.rewards[i]
      out.gameOvers[k] = this.gameOvers[i]
    }
    // Undo the swaps, newest first, so `order` is the identity again.
    for (let k = n - 1; k >= 0; k--) {
      const j = picked[k]
      const t = order[j]
      order[j] = order[k]
      order[k] = t
    }
  }

  /** Forgets everything (qlearning4k's reset_memory). */
  reset(): void {
    this.cursor = 0
    this.size = 0
  }

  static allocBatch(n: number, stateSize: number): TransitionBatch {
    return { states: new Float32Array(2 * n * stateSize), actions: new Int32Array(n), rewards: new Float32Array(n), gameOvers: new Uint8Array(n) }
  }
}
