/**
 * Experience replay in flat typed arrays. capacity −1 means unbounded (the
 * arrays double as they fill); otherwise a ring that overwrites the oldest.
 */
import type { Rng } from '../rng'
import { MAX_REPLAY_BYTES, transitionBytes } from '../replay-budget'

export interface Batch {
  states: Float32Array
  actions: Int32Array
  rewards: Float32Array
  nextStates: Float32Array
  dones: Float32Array
}

export class ReplayMemory {
  private states: Float32Array
  private nextStates: Float32Array
  private actions: Int32Array
  private rewards: Float32Array
  private dones: Uint8Array
  private cursor = 0
  size = 0

  constructor(
    readonly capacity: number,
    readonly stateSize: number,
  ) {
    if (capacity === 0 || capacity < -1) throw new Error(`memory_size must be −1 or positive, got ${capacity}`)
    const initial = capacity === -1 ? 1024 : capacity
    this.states = new Float32Array(initial * stateSize)
    this.nextStates = new Float32Array(initial * stateSize)
    this.actions = new Int32Array(initial)
    this.rewards = new Float32Array(initial)
    this.dones = new Uint8Array(initial)
  }

  private get allocated(): number {
    return this.actions.length
  }

  private grow(): void {
    const n = this.allocated * 2
    if (n * transitionBytes(this.stateSize) > MAX_REPLAY_BYTES) {
      throw new Error(`the replay memory holds ${this.size} transitions, as many as fit in ${MAX_REPLAY_BYTES / 1024 ** 3} GiB (memory_size −1 keeps every one): set memory_size to at most ${this.size}`)
    }
    const grow = <T extends Float32Array | Int32Array | Uint8Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n * per)
      b.set(a)
      return b
    }
    this.states = grow(this.states, this.stateSize)
    this.nextStates = grow(this.nextStates, this.stateSize)
    this.actions = grow(this.actions, 1)
    this.rewards = grow(this.rewards, 1)
    this.dones = grow(this.dones, 1)
  }

  push(state: Float32Array, action: number, reward: number, nextState: Float32Array, done: boolean): void {
    if (this.capacity === -1 && this.size === this.allocated) this.grow()
    const i = this.cursor
    this.states.set(state, i * this.stateSize)
    this.nextStates.set(nextState, i * this.stateSize)
    this.actions[i] = action
    this.rewards[i] = reward
    this.dones[i] = done ? 1 : 0
    const cap = this.capacity === -1 ? Infinity : this.capacity
    this.cursor = this.capacity === -1 ? i + 1 : (i + 1) % cap
    this.size = Math.min(this.size + 1, cap)
  }

  /** The stored transitions as bytes, for checkpoints. */
  toBytes(): { meta: Record<string, number>; bytes: Uint8Array } {
    const n = this.capacity === -1 ? this.size : this.allocated
    const d = this.stateSize
    const parts = [
      new Uint8Array(this.states.buffer, 0, n * d * 4),
      new Uint8Array(this.nextStates.buffer, 0, n * d * 4),
      new Uint8Array(this.actions.buffer, 0, n * 4),
      new Uint8Array(this.rewards.buffer, 0, n * 4),
      new Uint8Array(this.dones.buffer, 0, n),
    ]
    const bytes = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
    let o = 0
    for (const p of parts) {
      bytes.set(p, o)
      o += p.byteLength
    }
    return { meta: { capacity: this.capacity, stateSize: d, slots: n, size: this.size, cursor: this.cursor }, bytes }
  }

  loadBytes(meta: Record<string, unknown>, bytes: Uint8Array): void {
    const { capacity, stateSize, slots, size, cursor } = meta as Record<string, number>
    if (capacity !== this.capacity || stateSize !== this.stateSize) {
      throw new Error(`checkpoint memory is ${capacity} × ${stateSize}; this agent's is ${this.capacity} × ${this.stateSize}`)
    }
    while (this.allocated < slots) this.grow()
    const d = stateSize
    let o = 0
    const take = (n: number): ArrayBuffer => {
      const b = bytes.slice(o, o + n).buffer
      o += n
      return b
    }
    this.states.set(new Float32Array(take(slots * d * 4)))
    this.nextStates.set(new Float32Array(take(slots * d * 4)))
    this.actions.set(new Int32Array(take(slots * 4)))
    this.rewards.set(new Float32Array(take(slots * 4)))
    this.dones.set(new Uint8Array(take(slots)))
    this.size = size
    this.cursor = cursor
  }

  clear(): void {
    this.cursor = 0
    this.size = 0
  }

  /** Uniform sample with replacement into `out` (preallocated for `batchSize`). */
  sample(batchSize: number, rng: Rng, out: Batch): void {
    const d = this.stateSize
    for (let b = 0; b < batchSize; b++) {
      const i = rng.int(0, this.size)
      out.states.set(this.states.subarray(i * d, (i + 1) * d), b * d)
      out.nextStates.set(this.nextStates.subarray(i * d, (i + 1) * d), b * d)
      out.actions[b] = this.actions[i]
      out.rewards[b] = this.rewards[i]
      out.dones[b] = this.dones[i]
    }
  }

  static allocBatch(batchSize: number, stateSize: number): Batch {
    return {
      states: new Float32Array(batchSize * stateSize),
      actions: new Int32Array(batchSize),
      rewards: new Float32Array(batchSize),
      nextStates: new Float32Array(batchSize * stateSize),
      dones: new Float32Array(batchSize),
    }
  }
}

/** Keeps the last `n` observations; a state is their concatenation, oldest first. */
export class FrameStack {
  readonly state: Float32Array
  constructor(
    readonly n: number,
    readonly frameSize: number,
  ) {
    this.state = new Float32Array(n * frameSize)
  }
  /** Fills every slot with the first frame of an episode (as qlearning4k does). */
  reset(obs: Float32Array): Float32Array {
    for (let k = 0; k < this.n; k++) this.state.set(obs, k * this.frameSize)
    return this.state
  }
  push(obs: Float32Array): Float32Array {
    this.state.copyWithin(0, this.frameSize)
    this.state.set(obs, (this.n - 1) * this.frameSize)
    return this.state
  }
}
