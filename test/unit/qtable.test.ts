import { describe, expect, it } from 'vitest'
import { QTable, QTABLE_PARAMS, type QTableParams } from '../../src/core/agents/qtable'
import type { EpisodeResult } from '../../src/core/agent'
import { defaults, paramsSchema } from '../../src/core/params'
import { RacerEnv, type RacerOptions } from '../../src/core/racer/env'
import { greedyRollout } from '../../src/core/racer/rollout'
import { shortestPath, trackFromAscii, type Track } from '../../src/core/racer/track'
import { builtinTrack } from '../../src/core/racer/builtin-tracks'
import { Rng, deriveSeed } from '../../src/core/rng'

const SEED_DEFAULTS = defaults(QTABLE_PARAMS) as unknown as QTableParams
const agentOn = (track: Track, seed: number, over: Partial<QTableParams> = {}, envOpts: RacerOptions = {}): QTable =>
  new QTable(new RacerEnv(track, envOpts), { ...SEED_DEFAULTS, ...over }, seed)

async function run(agent: QTable, episodes: number, record?: (e: number) => boolean): Promise<EpisodeResult[]> {
  const out: EpisodeResult[] = []
  for await (const ep of agent.train(episodes, record)) out.push(ep)
  return out
}

/**
 * Trains up to `budget` episodes; after each, plays the greedy policy on a separate env.
 * Returns the first episode count after which it takes the shortest path (null if never).
 */
async function episodesToShortest(agent: QTable, track: Track, budget: number): Promise<number | null> {
  const best = shortestPath(track)!.steps
  const evalEnv = new RacerEnv(track)
  for await (const ep of agent.train(budget)) {
    if ((await greedyRollout(evalEnv, (o) => agent.greedyAction(o), 200)).steps === best) return ep.episode + 1
  }
  return null
}

/** Q-learning written out again from the seed's description, drawing the same random numbers. */
function referenceTable(track: Track, seed: number, episodes: number, p: QTableParams): Float32Array {
  const env = new RacerEnv(track)
  const q = new Float32Array(env.numStates * 4)
  const rng = new Rng(seed)
  const normal = (): number => {
    const u = 1 - rng.random()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random())
  }
  for (let i = 0; i < episodes; i++) {
    env.reset()
    let s = env.stateIndex()
    for (let j = 0; j < p.max_steps; j++) {
      const noisy = [0, 1, 2, 3].map((a) => q[s * 4 + a] + (normal() * p.noise_scale) / (i + 1))
      const a = noisy.indexOf(Math.max(...noisy))
      const r = env.step(a)
      const s1 = env.stateIndex()
      const next = r.terminated ? 0 : Math.max(...q.slice(s1 * 4, s1 * 4 + 4))
      q[s * 4 + a] += p.lr * (r.reward + p.gamma * next - q[s * 4 + a])
      s = s1
      if (r.terminated || r.truncated) break
    }
  }
  return q
}

describe('QTABLE_PARAMS', () => {
  it("defaults to the seed's settings and validates like other algorithms' params", () => {
    expect(SEED_DEFAULTS).toEqual({ lr: 0.8, gamma: 0.95, noise_scale: 1, q_init: 0, max_steps: 100 })
    const schema = paramsSchema(QTABLE_PARAMS)
    expect(schema.parse({})).toEqual(SEED_DEFAULTS)
    expect(schema.safeParse({ lr: 0 }).success).toBe(false)
    expect(schema.safeParse({ gamma: 1.5 }).success).toBe(false)
    expect(schema.safeParse({ max_steps: 0 }).success).toBe(false)
    expect(schema.safeParse({ epsilon: 0.1 }).success).toBe(false)
  })
})

describe('QTable', () => {
  it('updates exactly as Q-learning with argmax(Q + N(0,1)/(episode+1)) prescribes', async () => {
    const t = builtinTrack('track2')
    const agent = agentOn(t, 11)
    await run(agent, 60)
    expect(Array.from(agent.table())).toEqual(Array.from(referenceTable(t, 11, 60, SEED_DEFAULTS)))
    expect(agent.table()).toHaveLength(121 * 4)
  })

  it('is deterministic: same seed → same episodes; another seed plays differently', async () => {
    const t = builtinTrack('track1')
    const trace = (eps: EpisodeResult[]) => eps.map((e) => [e.seed, e.return, e.length, e.actions, e.metrics.loss])
    const a = await run(agentOn(t, 5), 40)
    const b = await run(agentOn(t, 5), 40)
    expect(trace(b)).toEqual(trace(a))
    const c = await run(agentOn(t, 6), 40)
    expect(trace(c)).not.toEqual(trace(a))
  })

  it('reports episode bookkeeping; recorded episodes carry the Q[s] row of every step', async () => {
    const t = builtinTrack('track2')
    const agent = agentOn(t, 2)
    const eps = await run(agent, 30, (e) => e % 10 === 0)
    let steps = 0
    eps.forEach((e, k) => {
      steps += e.length
      expect(e.episode).toBe(k)
      expect(e.seed).toBe(deriveSeed(2, k))
      expect(e.metrics.noise).toBeCloseTo(1 / (k + 1))
      expect(e.envSteps).toBe(steps)
      expect(e.gradSteps).toBe(steps)
      expect(e.length).toBe(e.actions.length)
      expect(e.length).toBeLessThanOrEqual(100)
      expect(e.won).toBe(e.return === 1)
      expect(Number.isFinite(e.metrics.loss)).toBe(true)
      if (k % 10 === 0) expect(e.outputs).toHaveLength(e.length * 4)
      else expect(e.outputs).toBeNull()
    })
    // The very first row seen is the untouched start row.
    expect(eps[0].outputs!.slice(0, 4)).toEqual([0, 0, 0, 0])
    expect(agent.episode).toBe(30)
  })

  it('learns the same table whatever the observation mode, and greedyAction reads that mode', async () => {
    const t = builtinTrack('track2')
    const plan = shortestPath(t)!
    const tables: number[][] = []
    for (const obs of ['onehot', 'map', 'image'] as const) {
      const agent = agentOn(t, 3, { q_init: 1 }, { obs })
      await run(agent, 200)
      tables.push(Array.from(agent.table()))
      expect((await greedyRollout(new RacerEnv(t, { obs }), (o) => agent.greedyAction(o), 100)).steps, obs).toBe(plan.steps)
    }
    expect(tables[1]).toEqual(tables[0])
    expect(tables[2]).toEqual(tables[0])
  })

  it('checkpoints: toJSON → fromJSON resumes exactly where it stopped', async () => {
    const t = builtinTrack('track1')
    const straight = agentOn(t, 9)
    const whole = await run(straight, 40)
    const first = agentOn(t, 9)
    await run(first, 25)
    const json = JSON.parse(JSON.stringify(first.toJSON()))
    const resumed = QTable.fromJSON(new RacerEnv(t), json)
    expect(resumed.episode).toBe(25)
    const rest = await run(resumed, 15)
    expect(rest.map((e) => e.actions)).toEqual(whole.slice(25).map((e) => e.actions))
    expect(Array.from(resumed.table())).toEqual(Array.from(straight.table()))
    expect(() => QTable.fromJSON(new RacerEnv(trackFromAscii(['S.G'])), json)).toThrow(/121 states × 4 actions; this env has 3 × 4/)
    expect(() => QTable.fromJSON(new RacerEnv(t), { ...json, kind: 'dqn' })).toThrow(/invalid Q-table checkpoint at kind/)
  })

  // The seed's exact algorithm (Q starts at 0, noise/(episode+1), 100-step episodes) settles on
  // the shortest path for roughly a quarter of seeds on each track (32/100 on track1, 23/100 on
  // track2, 10/100 on both; the rest settle 1–5 moves longer): the noise fades before every
  // detour is ruled out. Seed 9 is one that gets there on both.
  it("with the seed's settings (seed 9) it reaches the shortest path on track1 and track2 within 500 episodes", async () => {
    for (const [name, steps] of [['track1', 18], ['track2', 15]] as const) {
      const t = builtinTrack(name)
      const agent = agentOn(t, 9)
      const at = await episodesToShortest(agent, t, 500)
      expect(at, name).not.toBeNull()
      expect(at!).toBeLessThanOrEqual(500)
      // It also stays there.
      await run(agent, 500 - agent.episode)
      expect((await greedyRollout(new RacerEnv(t), (o) => agent.greedyAction(o), 200)).steps).toBe(steps)
    }
  })

  it('with optimistic Q (q_init 1) it reaches the shortest path for every seed tried', async () => {
    for (const name of ['track1', 'track2'] as const) {
      const t = builtinTrack(name)
      for (let seed = 0; seed < 5; seed++) expect(await episodesToShortest(agentOn(t, seed, { q_init: 1 }), t, 500), `${name} seed ${seed}`).not.toBeNull()
    }
  })
})
