/**
 * Two saved models playing as one (src/core/agents/combined.ts): A while the
 * world's phase is at least k, then B; and each alone over the same seeded
 * games, so the combination is judged against its parts. No learning, nothing
 * stored. The game is played with A's world settings (its reward gives the
 * returns); the job service has checked that B sees the same game.
 */
import { implementationOf } from '../../core/agents/implementations'
import { playCombined, phaseOf, type StackedPolicy } from '../../core/agents/combined'
import { getWorld, makeEnv } from '../../core/catalog'
import { trackFromJSON } from '../../core/racer/track'
import type { CombinedPlayResult, RunConfig } from '../../shared/api'
import { AGENT_AUTO_PASSES_OVER, realSystem, selectBackend } from './backend'
import { readModelFolder } from './model-files'
import type { FromTrainer } from './protocol'

export interface CombinedPlayMessage {
  type: 'play-combined'
  /** A's and B's newest model folders and run settings. */
  models: [{ runId: number; modelDir: string; config: RunConfig }, { runId: number; modelDir: string; config: RunConfig }]
  atLeast: number
  episodes: number
  seed: number
}

export async function playCombinedSaved(msg: CombinedPlayMessage, emit: (m: FromTrainer) => void): Promise<void> {
  const [a, b] = msg.models
  const backend = await selectBackend(a.config.backend, realSystem, AGENT_AUTO_PASSES_OVER)
  const world = getWorld(a.config.env)
  if (world.data) throw new Error(`${world.label} reads a data file; combined play does not open one`)
  const readPhase = phaseOf(world.id)
  const phase = { key: world.phase?.key ?? '', label: world.phase?.label ?? '' }
  const env = makeEnv(a.config.env, a.config.env_params, 0, a.config.track ? { track: trackFromJSON(a.config.track, { validate: false }) } : {})
  const agents = msg.models.map((m) => implementationOf(m.config.algo).create(env, m.config.params, m.config.seed))
  try {
    const policies = msg.models.map((m, i): StackedPolicy => {
      const agent = agents[i]
      if (!agent.loadWeights) throw new Error(`run ${m.runId}: ${m.config.algo} runs have no model to play`)
      agent.loadWeights(readModelFolder(m.modelDir))
      return { policy: agent, nbFrames: Number(m.config.params.nb_frames ?? 1) }
    })
    const played = await playCombined(policies[0], policies[1], env, readPhase, { atLeast: msg.atLeast }, msg.episodes, msg.seed)
    const summary = (games: typeof played.combined): CombinedPlayResult['alone'][0] => games.map(({ seed, return: ret, length, won, stats }) => ({ seed, return: ret, length, won, stats }))
    const result: CombinedPlayResult = {
      backend,
      runs: [a.runId, b.runId],
      phase,
      atLeast: msg.atLeast,
      seed: msg.seed,
      games: played.combined,
      alone: [summary(played.alone[0]), summary(played.alone[1])],
    }
    emit({ type: 'played-combined', result, backend })
  } finally {
    for (const agent of agents) agent.dispose()
  }
}
