/**
 * One training job, independent of the process it runs in: picks the backend,
 * builds env + agent, trains episode by episode, and reports through `emit`.
 * Pause, resume and stop take effect between episodes.
 */
import path from 'node:path'
import type { MetricPoint, RunConfig } from '../../shared/api'
import { makeEnv } from '../../core/catalog'
import { Dqn } from '../../core/agents/dqn'
import type { EpisodeRecord } from '../services/run-store'
import { selectBackend } from './backend'
import { writeModelFolder } from './model-files'
import type { FromTrainer } from './protocol'

const BATCH_INTERVAL_MS = 200
const LIVE_INTERVAL_MS = 250
const THROUGHPUT_INTERVAL_MS = 500
const WIN_WINDOW = 100

export class TrainingSession {
  private paused = false
  private stopping = false
  private wake: (() => void) | null = null

  constructor(
    private readonly runId: number,
    private readonly config: RunConfig,
    private readonly checkpointDir: string,
    private readonly emit: (msg: FromTrainer) => void,
  ) {}

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

  private async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopping) await new Promise<void>((resolve) => (this.wake = resolve))
    this.wake = null
  }

  async run(): Promise<void> {
    const c = this.config
    const backend = await selectBackend(c.backend)
    this.emit({ type: 'started', backend })

    const env = makeEnv(c.env)
    const agent = Dqn.fromValues(env, c.params, c.seed)
    const recordEvery = c.replay_every
    const isRecorded = (ep: number): boolean => ep % recordEvery === 0 || ep === c.episodes - 1

    const wins = new Uint8Array(WIN_WINDOW)
    let winCount = 0
    let metrics: MetricPoint[] = []
    let episodes: EpisodeRecord[] = []
    let lastBatch = performance.now()
    let lastLive = 0
    let lastRate = { t: performance.now(), env: 0, grad: 0 }
    let done = 0
    let envSteps = 0
    let gradSteps = 0
    let reason = `finished ${c.episodes} episodes`

    const flush = (): void => {
      this.emit({ type: 'batch', metrics, episodes, progress: { episodesDone: done, envSteps, gradSteps } })
      metrics = []
      episodes = []
      lastBatch = performance.now()
    }
    const checkpoint = async (): Promise<void> => {
      const dir = path.join(this.checkpointDir, `run-${this.runId}`, `episode-${done}`)
      writeModelFolder(dir, await agent.artifacts())
      this.emit({ type: 'checkpoint', episode: done, path: dir })
    }

    try {
      for await (const ep of agent.train(c.episodes, isRecorded)) {
        done = ep.episode + 1
        envSteps = ep.envSteps
        gradSteps = ep.gradSteps
        const slot = ep.episode % WIN_WINDOW
        winCount += (ep.won ? 1 : 0) - wins[slot]
        wins[slot] = ep.won ? 1 : 0
        const winRate = winCount / Math.min(done, WIN_WINDOW)
        const time = Date.now() / 1000
        const point = (key: string, value: number): void => void metrics.push({ key, step: done, value, time })
        point('return', ep.return)
        point('win_rate', winRate)
        point('epsilon', ep.epsilon)
        point('episode_length', ep.length)
        if (!Number.isNaN(ep.loss)) point('loss', ep.loss)

        const recorded = ep.qValues !== null
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
        if (c.checkpoint_every > 0 && done % c.checkpoint_every === 0 && done < c.episodes) await checkpoint()

        const target = c.target
        if (target && done >= WIN_WINDOW && winRate >= target.value) {
          reason = `target ${target.metric} ≥ ${target.value} reached after ${done} episodes`
          break
        }
        if (now - lastBatch >= BATCH_INTERVAL_MS) {
          flush()
          // Let pause/stop messages in; the training loop itself never awaits I/O.
          await new Promise((resolve) => setImmediate(resolve))
        }
        if (this.paused) {
          flush()
          await this.waitWhilePaused()
        }
        if (this.stopping) {
          reason = `stopped by the user after ${done} episodes`
          break
        }
      }
      flush()
      await checkpoint()
      this.emit({ type: 'done', status: this.stopping ? 'stopped' : 'completed', reason })
    } finally {
      agent.dispose()
    }
  }
}
