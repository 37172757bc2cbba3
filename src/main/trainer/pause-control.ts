/**
 * Pause, resume and stop for a training loop that checks in between steps
 * (episodes for RL, batches for the VAE). Reports state changes through `emit`.
 */
import type { FromTrainer } from './protocol'

export class PauseControl {
  paused = false
  stopping = false
  private wake: (() => void) | null = null

  constructor(private readonly emit: (msg: FromTrainer) => void) {}

  pause(): void {
    if (!this.paused && !this.stopping) {
      this.paused = true
      this.emit({ type: 'paused' })
    }
  }

  resume(): void {
    if (this.paused) {
      this.paused = false
      this.emit({ type: 'resumed' })
      this.wake?.()
    }
  }

  stop(): void {
    this.stopping = true
    this.wake?.()
  }

  /** Returns once resumed or stopped. */
  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopping) await new Promise<void>((resolve) => (this.wake = resolve))
    this.wake = null
  }
}
