/**
 * Experience replay in flat typed arrays — the one memory of the app's DQN and
 * of qlearning4k's Agent. capacity −1 means unbounded (the arrays double as they
 * fill); otherwise a ring that overwrites the oldest. Batches are drawn with
 * replacement (CleanRL's buffer) or without (qlearning4k's random.sample).
 */
import type { Rng } from '../rng'
import { MAX_REPLAY_BYTES, transitionBytes } from '../replay-budget'

/** A sampled batch of n transitions. */
export interface Batch {
  /** S then S′ (2·n rows) in one buffer, so one forward pass can cover both. */
  statePairs: Float32Array
  /** The n sampled states S: the first half of statePairs. */
  states: Float32Array
  /** Their next states S′: the second half of statePairs. */
  nextStates: Float32Array
  actions: Int32Array
  rewards: Float32Array
  /** The second reward stream (Split-Q's punishments); zeros for a one-stream memory. */
  rewards2: Float32Array
  /** 1 where the episode terminated at S′. */
  dones: Float32Array
}

export type ReplaySampling = 'with-replacement' | 'without-replacement'

export class ReplayMemory {
  private states: Float32Array
  private nextStates: Float32Array
  private actions: Int32Array
  private rewards: Float32Array
  /** The second reward stream, kept only by a two-stream memory (Split-Q). */
  private rewards2: Float32Array
  private dones: Uint8Array
  /** Without replacement: the identity permutation of the slots, which sample() swaps and then restores. */
  private order: Int32Array | null = null
  private cursor = 0
  size = 0

  constructor(
    readonly capacity: number,
    readonly stateSize: number,
    readonly sampling: ReplaySampling = 'with-replacement',
    readonly rewardStreams: 1 | 2 = 1,
  ) {
    if (capacity !== -1 && !(Number.isInteger(capacity) && capacity > 0)) throw new Error(`memory_size must be −1 (keep all) or a positive integer, got ${capacity}`)
    const initial = capacity === -1 ? 1024 : capacity
    this.states = new Float32Array(initial * stateSize)
    this.nextStates = new Float32Array(initial * stateSize)
    this.actions = new Int32Array(initial)
    this.rewards = new Float32Array(initial)
    this.rewards2 = new Float32Array(rewardStreams === 2 ? initial : 0)
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
    if (this.rewardStreams === 2) this.rewards2 = grow(this.rewards2, 1)
    this.dones = grow(this.dones, 1)
    this.order = null
  }

  /** `reward2` is the second stream's reward (two-stream memories only). */
  push(state: Float32Array, action: number, reward: number, nextState: Float32Array, done: boolean, reward2 = 0): void {
    if (this.capacity === -1 && this.size === this.allocated) this.grow()
    const i = this.cursor
    this.states.set(state, i * this.stateSize)
    this.nextStates.set(nextState, i * this.stateSize)
    this.actions[i] = action
    this.rewards[i] = reward
    if (this.rewardStreams === 2) this.rewards2[i] = reward2
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
      ...(this.rewardStreams === 2 ? [new Uint8Array(this.rewards2.buffer, 0, n * 4)] : []),
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
    if (this.rewardStreams === 2) this.rewards2.set(new Float32Array(take(slots * 4)))
    this.size = size
    this.cursor = cursor
  }

  clear(): void {
    this.cursor = 0
    this.size = 0
  }

  /** A uniform sample of `batchSize` transitions into `out` (preallocated for `batchSize`), by this memory's sampling. */
  sample(batchSize: number, rng: Rng, out: Batch): void {
    if (this.sampling === 'without-replacement') {
      this.sampleDistinct(batchSize, rng, out)
      return
    }
    for (let b = 0; b < batchSize; b++) this.copyRow(rng.int(0, this.size), b, out)
  }

  /** n distinct transitions (partial Fisher–Yates over `order`). Needs n ≤ size. */
  private sampleDistinct(n: number, rng: Rng, out: Batch): void {
    if (n > this.size) throw new Error(`cannot sample ${n} distinct transitions from ${this.size}`)
    const order = (this.order ??= Int32Array.from({ length: this.allocated }, (_, i) => i))
    const picked = new Int32Array(n)
    for (let k = 0; k < n; k++) {
      const j = rng.int(k, this.size)
      picked[k] = j
      const i = order[j]
      order[j] = order[k]
      order[k] = i
      this.copyRow(i, k, out)
    }
    // Undo the swaps, newest first, so `order` is the identity again.
    for (let k = n - 1; k >= 0; k--) {
      const j = picked[k]
      const t = order[j]
      order[j] = order[k]
      order[k] = t
    }
  }

  private copyRow(i: number, row: number, out: Batch): void {
    const d = this.stateSize
    out.states.set(this.states.subarray(i * d, (i + 1) * d), row * d)
    out.nextStates.set(this.nextStates.subarray(i * d, (i + 1) * d), row * d)
    out.actions[row] = this.actions[i]
    out.rewards[row] = this.rewards[i]
    if (this.rewardStreams === 2) out.rewards2[row] = this.rewards2[i]
    out.dones[row] = this.dones[i]
  }

  static allocBatch(batchSize: number, stateSize: number): Batch {
    const statePairs = new Float32Array(2 * batchSize * stateSize)
    return {
      statePairs,
      states: statePairs.subarray(0, batchSize * stateSize),
      nextStates: statePairs.subarray(batchSize * stateSize),
      actions: new Int32Array(batchSize),
      rewards: new Float32Array(batchSize),
      rewards2: new Float32Array(batchSize),
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
