/**
 * One training job, independent of the process it runs in: picks the backend,
 * builds env + agent (fresh, from an imported model, or restored from a
 * checkpoint), trains episode by episode, and reports through `emit`. Pause,
 * resume and stop take effect between episodes.
 */
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { MetricPoint, RunConfig } from '../../shared/api'
import { ENVS, makeEnv } from '../../core/catalog'
import type { RlAgent } from '../../core/agent'
import type { Dqn } from '../../core/agents/dqn'
import { playGreedy } from '../../core/agents/play'
import type { EpisodeRecord } from '../services/run-store'
import { RacerEnv } from '../../core/racer/env'
import { greedyRollout } from '../../core/racer/rollout'
import { shortestPath, trackFromJSON } from '../../core/racer/track'
import { createAgent, restoreAgent } from './agents'
import { selectBackend } from './backend'
import { readModelFolder, readTrainingState } from './model-files'
import { writeCheckpoint } from './checkpoints'
import type { FromTrainer, ToTrainer } from './protocol'
import { PauseControl } from './pause-control'

const BATCH_INTERVAL_MS = 200
const LIVE_INTERVAL_MS = 250
const THROUGHPUT_INTERVAL_MS = 500
const WINDOW = 100
/** Greedy evaluation (Pixel Racer's steps-to-goal) every this many episodes. */
const EVAL_EVERY = 10

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

type StartMessage = Extract<ToTrainer, { type: 'start' }>

export class TrainingSession {
  readonly control: PauseControl

  constructor(
    private readonly start: StartMessage,
    private readonly emit: (msg: FromTrainer) => void,
  ) {
    this.control = new PauseControl(emit)
  }

  async run(): Promise<void> {
    const c: RunConfig = this.start.config
    const backend = await selectBackend(c.backend)
    this.emit({ type: 'started', backend })

    const track = c.track ? trackFromJSON(c.track, { validate: false }) : undefined
    const env = makeEnv(c.env, c.env_params, 0, { track })
    const evalEnv = env instanceof RacerEnv ? (makeEnv(c.env, c.env_params, 0, { track }) as RacerEnv) : null
    const shortest = track ? (shortestPath(track)?.steps ?? null) : null
    const statKeys = ENVS[c.env].episodeStats.map((s) => s.key)
    const wins = new Rolling()
    const stats = Object.fromEntries(statKeys.map((k) => [k, new Rolling()]))
    let agent: RlAgent
    if (this.start.resumeFrom) {
      const state = readTrainingState(this.start.resumeFrom)
      agent = await restoreAgent(c, env, { meta: state.meta.agent as Record<string, unknown>, blobs: state.blobs })
      const windows = state.meta.windows as Record<string, number[]>
      wins.values = windows.win
      for (const k of statKeys) stats[k].values = windows[k] ?? []
    } else {
      agent = createAgent(c, env)
      if (this.start.initialModel) (agent as Dqn).loadWeights(readModelFolder(this.start.initialModel))
    }

    const isReplay = (ep: number): boolean => ep % c.replay_every === 0 || ep === c.episodes - 1
    // Q-values are kept for stored replays and for the episode the live view will show next.
    const keepQ = (ep: number): boolean => isReplay(ep) || performance.now() - lastLive >= LIVE_INTERVAL_MS
    let metrics: MetricPoint[] = []
    let episodes: EpisodeRecord[] = []
    let lastBatch = performance.now()
    let lastLive = 0
    let done = agent.episode
    let envSteps = 0
    let gradSteps = 0
    let lastRate = { t: performance.now(), env: -1, grad: 0 }
    let nextPolicyAt = 0
    let reason = `finished ${c.episodes} episodes`

    const flush = (): void => {
      this.emit({ type: 'batch', metrics, episodes, progress: { episodesDone: done, envSteps, gradSteps } })
      metrics = []
      episodes = []
      lastBatch = performance.now()
    }
    const checkpoint = async (): Promise<void> => {
      const dir = path.join(this.start.checkpointDir, `run-${this.start.runId}`, `episode-${done}`)
      const snap = agent.snapshot ? await agent.snapshot() : null
      const windows = { win: wins.values, ...Object.fromEntries(statKeys.map((k) => [k, stats[k].values])) }
      // The host drops older checkpoints' training state once it has recorded this one.
      writeCheckpoint(dir, { model: agent.artifacts ? await agent.artifacts() : null, state: snap && { meta: { agent: snap.meta, windows }, blobs: snap.blobs } })
      this.emit({ type: 'checkpoint', episode: done, path: dir, hasModel: !!agent.artifacts })
    }

    /** Moves the greedy policy takes from the start (Pixel Racer); null if it never arrives. */
    const greedyEval = (): number | null => {
      if (!evalEnv) return null
      return greedyRollout(evalEnv, (obs) => agent.greedyAction(obs), evalEnv.rules.maxSteps).steps
    }
    /** The agent's action values over every road cell, for the heatmap and policy arrows. */
    const emitPolicy = (force: boolean): void => {
      if (!evalEnv || !agent.qValues) return
      const now = performance.now()
      if (!force && now < nextPolicyAt) return
      const R = evalEnv.rules
      const A = R.actionSpace.n
      const q: (number | null)[] = []
      const obs = R.background.slice()
      for (let cell = 0; cell < R.numStates; cell++) {
        if (R.track.cells[cell] === 1) {
          for (let a = 0; a < A; a++) q.push(null)
          continue
        }
        R.drawRacer(obs, 0, cell)
        const values = agent.qValues(obs)
        for (let a = 0; a < A; a++) q.push(values[a])
        R.eraseRacer(obs, 0, cell)
      }
      // Big tracks cost more to sweep: keep this under ~5% of the trainer's time.
      nextPolicyAt = performance.now() + Math.max(1000, 20 * (performance.now() - now))
      this.emit({ type: 'policy', policy: { episode: done, width: R.width, height: R.height, nActions: A, q } })
    }

    try {
      for await (const ep of agent.train(c.episodes - agent.episode, keepQ)) {
        done = ep.episode + 1
        envSteps = ep.envSteps
        gradSteps = ep.gradSteps
        if (lastRate.env < 0) lastRate = { t: performance.now(), env: envSteps - ep.length, grad: gradSteps }
        const winRate = wins.push(ep.won ? 1 : 0)
        const time = Date.now() / 1000
        const point = (key: string, value: number): void => void metrics.push({ key, step: done, value, time })
        point('return', ep.return)
        point('win_rate', winRate)
        if (!Number.isNaN(ep.epsilon)) point('epsilon', ep.epsilon)
        point('episode_length', ep.length)
        if (!Number.isNaN(ep.loss)) point('loss', ep.loss)
        if (evalEnv && (done % EVAL_EVERY === 0 || done === c.episodes)) {
          const steps = greedyEval()
          point('greedy_reached', steps === null ? 0 : 1)
          if (steps !== null) point('greedy_steps', steps)
          if (shortest !== null) point('shortest_steps', shortest)
        }
        emitPolicy(false)
        const epStats = env.episodeStats?.() ?? {}
        for (const k of statKeys) {
          point(k, epStats[k])
          point(`mean_${k}`, stats[k].push(epStats[k]))
        }

        const recorded = isReplay(ep.episode)
        episodes.push({
          episode: ep.episode,
          seed: ep.seed,
          return: ep.return,
          length: ep.length,
          won: ep.won,
          ...(recorded ? { actions: ep.actions, qValues: ep.qValues } : {}),
        })

        const now = performance.now()
        if (now - lastRate.t >= THROUGHPUT_INTERVAL_MS) {
          const dt = (now - lastRate.t) / 1000
          point('env_steps_per_s', (envSteps - lastRate.env) / dt)
          point('grad_steps_per_s', (gradSteps - lastRate.grad) / dt)
          lastRate = { t: now, env: envSteps, grad: gradSteps }
        }
        if (now - lastLive >= LIVE_INTERVAL_MS) {
          lastLive = now
          this.emit({
            type: 'live',
            episode: { episode: ep.episode, seed: ep.seed, actions: ep.actions, qValues: ep.qValues, return: ep.return, won: ep.won },
          })
        }
        if (c.checkpoint_every > 0 && done % c.checkpoint_every === 0 && done < c.episodes) {
          flush()
          await checkpoint()
        }

        const target = c.target
        if (target && wins.full && winRate >= target.value) {
          reason = `target ${target.metric} ≥ ${target.value} reached after ${done} episodes`
          break
        }
        if (now - lastBatch >= BATCH_INTERVAL_MS) {
          flush()
          // Let pause/stop messages in; the training loop itself never awaits I/O.
          await new Promise((resolve) => setImmediate(resolve))
        }
        if (this.control.paused) {
          flush()
          await this.control.waitWhilePaused()
        }
        if (this.control.stopping) {
          reason = `stopped by the user after ${done} episodes`
          break
        }
      }
      if (evalEnv && done % EVAL_EVERY !== 0 && done !== c.episodes) {
        const steps = greedyEval()
        metrics.push({ key: 'greedy_reached', step: done, value: steps === null ? 0 : 1, time: Date.now() / 1000 })
        if (steps !== null) metrics.push({ key: 'greedy_steps', step: done, value: steps, time: Date.now() / 1000 })
      }
      emitPolicy(true)
      flush()
      await checkpoint()
      this.emit({ type: 'done', status: this.control.stopping ? 'stopped' : 'completed', reason })
    } finally {
      agent.dispose()
    }
  }
}

/** Plays a saved model greedily (no learning) and reports every episode. */
export async function playSaved(msg: Extract<ToTrainer, { type: 'play' }>, emit: (m: FromTrainer) => void): Promise<void> {
  const backend = await selectBackend(msg.config.backend)
  const model = await tf.loadLayersModel(tf.io.fromMemory(readModelFolder(msg.modelDir)))
  try {
    const env = makeEnv(msg.config.env, msg.config.env_params)
    const nbFrames = Number(msg.config.params.nb_frames ?? 1)
    emit({ type: 'played', result: playGreedy(model, env, nbFrames, msg.episodes, msg.seed), backend })
  } finally {
    model.dispose()
  }
}
