/**
 * qlearning4k's ExperienceReplay: the app's ReplayMemory under qlearning4k's
 * names, drawing batches without replacement like Python's random.sample. A
 * positive memorySize keeps the newest that many, −1 keeps everything.
 */
import { ReplayMemory, type Batch } from '../agents/replay-memory'

/** A Batch whose `states` is all 2·n rows — the n sampled S, then their n S′ (one predict() call covers both). */
export interface TransitionBatch extends Batch {
  /** qlearning4k's name for `dones`: the same array. */
  gameOvers: Float32Array
}

export class ExperienceReplay extends ReplayMemory {
  constructor(memorySize: number, stateSize: number) {
    if (memorySize !== -1 && !(Number.isInteger(memorySize) && memorySize > 0)) {
      throw new Error(`memorySize must be −1 (unbounded) or a positive integer, got ${memorySize}`)
    }
    super(memorySize, stateSize, 'without-replacement')
  }

  get memorySize(): number {
    return this.capacity
  }

  remember(s: Float32Array, a: number, r: number, sPrime: Float32Array, gameOver: boolean): void {
    this.push(s, a, r, sPrime, gameOver)
  }

  /** Forgets everything (qlearning4k's reset_memory). */
  reset(): void {
    this.clear()
  }

  static override allocBatch(n: number, stateSize: number): TransitionBatch {
    const batch = ReplayMemory.allocBatch(n, stateSize)
    return { ...batch, states: batch.statePairs, gameOvers: batch.dones }
  }
}
