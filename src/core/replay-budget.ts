/**
 * The replay memory's size is bounded by bytes, not only by count: one transition holds two
 * states (observation × stacked frames, float32), so 5e6 transitions of a Snake state are
 * gigabytes — a trainer that fails at its first checkpoint. Checked when a run is configured
 * (before anything is written) and again while an unbounded memory (−1) grows.
 */

/** Most bytes a replay memory may use (it is also written whole into the newest checkpoint). */
export const MAX_REPLAY_BYTES = 1024 ** 3

/** Bytes of one stored transition with states of `stateSize` values. */
export function transitionBytes(stateSize: number): number {
  return 2 * 4 * stateSize + 4 + 4 + 1 // states, next states, action, reward, done
}

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(bytes < 0.1 * 1024 ** 3 ? 2 : 1)} GiB`

/** Why `memory_size` transitions of `stateSize` values do not fit the budget, or null. */
export function replayBudgetProblem(memorySize: number, stateSize: number): string | null {
  const per = transitionBytes(stateSize)
  const fits = Math.floor(MAX_REPLAY_BYTES / per)
  if (memorySize <= fits) return null
  return `memory_size ${memorySize} needs ${gib(memorySize * per)} of replay memory for states of ${stateSize} values (at most ${gib(MAX_REPLAY_BYTES)}): set memory_size to at most ${fits}, or fewer nb_frames`
}
