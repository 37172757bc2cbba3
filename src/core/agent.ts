/**
 * What the trainer needs from a reinforcement-learning agent, whatever its
 * algorithm (DQN, Q-table, …): train episode by episode as an async generator,
 * so the caller can pause, stop and checkpoint between episodes.
 */
export interface EpisodeResult {
  episode: number
  /** The env seed of this episode: with `actions` it re-simulates the episode exactly. */
  seed: number
  return: number
  length: number
  won: boolean
  /** Exploration rate used in this episode (NaN where the algorithm has none). */
  epsilon: number
  /** Mean training loss over this episode's updates (NaN before learning starts). */
  loss: number
  envSteps: number
  gradSteps: number
  actions: number[]
  /** Per-step agent outputs (Q-values), flattened [length × nActions]; only for recorded episodes. */
  qValues: number[] | null
}

/** Everything an agent needs to continue training: JSON metadata plus named binary blobs. */
export interface AgentSnapshot {
  meta: Record<string, unknown>
  blobs: Record<string, Uint8Array>
}

export interface RlAgent {
  /** Episodes completed so far (a resumed agent continues from here). */
  readonly episode: number
  /** Plays and learns `episodes` more episodes; `record(episode)` says which keep their Q-values. */
  train(episodes: number, record?: (episode: number) => boolean): AsyncGenerator<EpisodeResult>
  /** The agent's greedy action in a state (for Play and policy overlays). */
  greedyAction(state: Float32Array): number
  /** Q(s, ·) for a state, for value overlays (agents with action values). */
  qValues?(state: Float32Array): ArrayLike<number>
  /** Training state for an exact resume (agents that support checkpoints). */
  snapshot?(): Promise<AgentSnapshot>
  /** The policy network in tfjs LayersModel save format, for agents that have one. */
  artifacts?(): Promise<import('@tensorflow/tfjs').io.ModelArtifacts>
  dispose(): void
}
