/**
 * qlearning4k's Game: anything the Agent can play. A game owns its state; the
 * agent calls reset() at the start of every epoch, then play(action) until
 * isOver(), reading getState() (the frame) and getScore() (the reward of the
 * last play) after each move.
 */
export interface Game {
  readonly name: string
  readonly nbActions: number
  reset(): void
  play(action: number): void
  /** The current frame, flat. The agent copies it; a game may reuse the buffer. */
  getState(): Float32Array
  /** The reward of the last play() (qlearning4k's get_score). */
  getScore(): number
  isOver(): boolean
  isWon(): boolean
  /** Actions agent.play() chooses among (default: all of 0 … nbActions − 1). */
  possibleActions?(): number[]
  /** Optional: the frame's shape, e.g. [10, 10]; envFromGame() declares it as the observation space. */
  readonly frameShape?: readonly number[]
  /** Optional: reseeds the game's randomness from the next reset() on; envFromGame()'s reset(seed) calls it. */
  seed?(seed: number): void
}

export function checkAction(game: Game, action: number): void {
  if (!Number.isInteger(action) || action < 0 || action >= game.nbActions) {
    throw new Error(`${game.name}: invalid action ${action} (0–${game.nbActions - 1})`)
  }
}
