/**
 * An agent learning in a world: the registry makes the env and the algorithm's
 * implementation makes (or restores) the agent; each episode becomes one step
 * with the algorithm's own metrics, the env's episode stats and rolling means,
 * and — where the world measures its greedy policy (Pixel Racer) — those numbers.
 */
import { ROLLING_WINDOW as WINDOW, type RlAgent } from '../../core/agent'
import { implementationOf } from '../../core/agents/implementations'
import { getWorld, makeEnv, type EnvAssets, type WorldInfo } from '../../core/catalog'
import type { RunConfig } from '../../shared/api'
import { dataSchema } from '../data/schemas'
import { actionEncoding } from '../../core/spaces'
import { trackFromJSON } from '../../core/racer/track'
import { readModelFolder } from './model-files'
import { playGreedy } from '../../core/agents/play'
import { AGENT_AUTO_PASSES_OVER, realSystem, selectBackend } from './backend'
import type { FromTrainer, ToTrainer } from './protocol'
import type { JobContext, JobStep, TrainingJob } from './session'


/** Mean of the last WINDOW values; part of the training state, so resumed curves continue. */
class Rolling {
  values: number[] = []
  push(v: number): number {
    this.values.push(v)
    if (this.values.length > WINDOW) this.values.shift()
    return this.values.reduce((a, b) => a + b, 0) / this.values.length
  }
  get full(): boolean {
    return this.values.length >= WINDOW
  }
}

/**
 * What the run's env needs besides its settings: its track, and for a
 * data-backed world its events, opened through the world's data schema
 * (`close` releases the file).
 */
async function openAssets(c: RunConfig, world: WorldInfo): Promise<{ assets: EnvAssets; close(): void }> {
  const assets: EnvAssets = c.track ? { track: trackFromJSON(c.track, { validate: false }) } : {}
  if (!world.data) return { assets, close: () => {} }
  if (!c.data) throw new Error(`${world.label} runs need a data file (${world.data.description})`)
  const schema = dataSchema(world.data.schema)
  if (!schema.openEvents) throw new Error(`${world.label} plays events, which the ${world.data.schema} schema does not read`)
  const opened = await schema.openEvents(c.data.path, c.data.projection)
  return { assets: { ...assets, events: opened.source }, close: () => opened.close() }
}

/** At most this many policies kept per run, and at most this many bytes of them (float32 action values). */
export const MAX_POLICY_SNAPSHOTS = 50
export const MAX_POLICY_SNAPSHOT_BYTES = 16 * 1024 * 1024

/**
 * Every how many recorded episodes (one each `replayEvery`, counted from episode 0) the policy is
 * kept, so that the kept ones spread evenly over the run within both bounds; the last is kept too.
 */
export function policySnapshotStride(episodes: number, replayEvery: number, bytesEach: number): number {
  const recorded = Math.ceil(episodes / replayEvery)
  const most = Math.max(1, Math.min(MAX_POLICY_SNAPSHOTS, Math.floor(MAX_POLICY_SNAPSHOT_BYTES / Math.max(1, bytesEach))) - 1)
  return Math.max(1, Math.ceil(recorded / most))
}

export async function createRlJob(ctx: JobContext): Promise<TrainingJob> {
  const { config: c, world, start } = ctx
  const { assets, close } = await openAssets(c, world)
  const env = makeEnv(c.env, c.env_params, 0, assets)
  const makeCopy = () => makeEnv(c.env, c.env_params, 0, assets)
  const monitor = world.monitor?.(c.env_params, assets) ?? null
  const impl = implementationOf(c.algo)
  const statKeys = world.episodeStats.map((s) => s.key)
  const encoding = actionEncoding(env.actionSpace)
  const wins = new Rolling()
  const lengths = new Rolling()
  const stats = Object.fromEntries(statKeys.map((k) => [k, new Rolling()]))
  let agent: RlAgent
  if (ctx.resume) {
    agent = await impl.restore(env, { meta: ctx.resume.meta.agent as Record<string, unknown>, blobs: ctx.resume.blobs }, makeCopy)
    const windows = ctx.resume.meta.windows as Record<string, number[]>
    wins.values = windows.win
    lengths.values = windows.episode_length ?? []
    for (const k of statKeys) stats[k].values = windows[k] ?? []
  } else {
    agent = impl.create(env, c.params, c.seed, makeCopy)
    if (start.initialModel) {
      if (!agent.loadWeights) throw new Error(`${ctx.algo.label} cannot start from a saved model`)
      agent.loadWeights(readModelFolder(start.initialModel))
    }
  }

  const isReplay = (ep: number): boolean => ep % c.replay_every === 0 || ep === c.episodes - 1
  // Outputs are kept for stored replays and for the episode the live view will show next.
  let liveNext = false
  const keepOutputs = (ep: number): boolean => {
    liveNext = ctx.wantLive()
    return isReplay(ep) || liveNext
  }
  let nextPolicyAt = 0
  /** Which recorded episodes keep their policy (training days), fixed by the first one's size. */
  let snapshotStride = 0
  /**
   * The agent's action values over the world, throttled to ≤ ~5 % of the trainer's time; after the
   * recorded episodes `policySnapshotStride` picks, always, kept as the policy at that episode.
   */
  const emitPolicy = async (done: number, force: boolean): Promise<void> => {
    if (!monitor?.policy || !agent.outputs) return
    const recorded = done > 0 && isReplay(done - 1)
    const replayIndex = Math.floor((done - 1) / c.replay_every)
    let snapshot = recorded && (done === c.episodes || (snapshotStride > 0 && replayIndex % snapshotStride === 0))
    // The stride needs one policy's size: the first recorded episode after a start or resume measures it.
    const measure = recorded && snapshotStride === 0
    const now = performance.now()
    if (!force && !snapshot && !measure && now < nextPolicyAt) return
    const policy = await monitor.policy((obs) => agent.outputs!(obs))
    nextPolicyAt = performance.now() + Math.max(1000, 20 * (performance.now() - now))
    if (measure) {
      snapshotStride = policySnapshotStride(c.episodes, c.replay_every, policy.q.length * 4)
      snapshot ||= replayIndex % snapshotStride === 0
    }
    ctx.emitPolicy({ episode: done, ...policy }, snapshot)
  }
  let done = agent.episode
  // Monitors are declared by Discrete worlds (Pixel Racer), whose greedy action is one id.
  const greedyId = async (obs: Float32Array): Promise<number> => (await agent.greedyAction(obs)) as number

  return {
    get done() {
      return done
    },
    async *steps(): AsyncGenerator<JobStep> {
      for await (const ep of agent.train(c.episodes - agent.episode, keepOutputs)) {
        done = ep.episode + 1
        const winRate = wins.push(ep.won ? 1 : 0)
        const metrics: Record<string, number> = { return: ep.return, win_rate: winRate, ...ep.metrics, episode_length: ep.length, mean_episode_length: lengths.push(ep.length) }
        if (monitor && (done % monitor.every === 0 || done === c.episodes)) Object.assign(metrics, await monitor.evaluate(greedyId))
        await emitPolicy(done, false)
        const epStats = ep.stats ?? env.episodeStats?.() ?? {}
        for (const k of statKeys) {
          metrics[k] = epStats[k]
          metrics[`mean_${k}`] = stats[k].push(epStats[k])
        }
        const recorded = isReplay(ep.episode)
        const target = c.target
        yield {
          done,
          step: done,
          metrics,
          envSteps: ep.envSteps,
          gradSteps: ep.gradSteps,
          totals: { env_steps_per_s: ep.envSteps, grad_steps_per_s: ep.gradSteps },
          episode: {
            episode: ep.episode,
            seed: ep.seed,
            return: ep.return,
            length: ep.length,
            won: ep.won,
            ...(recorded ? { actions: ep.actions, actionEncoding: encoding, outputs: ep.outputs } : {}),
          },
          ...(liveNext
            ? { live: { episode: ep.episode, seed: ep.seed, actions: ep.actions, outputs: ep.outputs, return: ep.return, won: ep.won } }
            : {}),
          ...(target && wins.full && winRate >= target.value ? { endReason: `target ${target.metric} ≥ ${target.value} reached after ${done} episodes` } : {}),
        }
      }
    },
    async save() {
      const model = agent.artifacts ? await agent.artifacts() : null
      if (!agent.snapshot) return { model, state: null }
      const snap = await agent.snapshot()
      const windows = { win: wins.values, episode_length: lengths.values, ...Object.fromEntries(statKeys.map((k) => [k, stats[k].values])) }
      return { model, state: { meta: { agent: snap.meta, windows }, blobs: snap.blobs } }
    },
    async finish(point, emit) {
      if (monitor && done % monitor.every !== 0 && done !== c.episodes) {
        for (const [k, v] of Object.entries(await monitor.evaluate(greedyId))) if (k !== 'shortest_steps') point(k, v)
      }
      await emitPolicy(done, true)
      // Worlds that grade a trained agent themselves (LArTPC on its held-out events).
      if (world.evaluate && done > 0) {
        const evaluation = await world.evaluate(c.env_params, assets, (obs) => agent.greedyAction(obs))
        for (const [k, v] of Object.entries(evaluation.metrics)) point(k, v)
        emit({ type: 'results', results: evaluation.results })
      }
    },
    dispose: () => {
      agent.dispose()
      close()
    },
  }
}

/** Plays a saved model greedily (no learning) and reports every episode. */
export async function playSaved(msg: Extract<ToTrainer, { type: 'play' }>, emit: (m: FromTrainer) => void): Promise<void> {
  const backend = await selectBackend(msg.config.backend, realSystem, AGENT_AUTO_PASSES_OVER)
  const c = msg.config
  const { assets, close } = await openAssets(c, getWorld(c.env))
  const env = makeEnv(c.env, c.env_params, 0, assets)
  const agent = implementationOf(c.algo).create(env, c.params, c.seed, () => makeEnv(c.env, c.env_params, 0, assets))
  try {
    if (!agent.loadWeights) throw new Error(`${c.algo} runs have no model to play`)
    agent.loadWeights(readModelFolder(msg.modelDir))
    emit({ type: 'played', result: await playGreedy(agent, env, Number(c.params.nb_frames ?? 1), msg.episodes, msg.seed), backend })
  } finally {
    agent.dispose()
    close()
  }
}
