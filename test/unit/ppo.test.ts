/**
 * PPO (agents/ppo.ts): GAE against a hand-worked rollout, the seed's joystick
 * rule, games in order with seeds that re-simulate, learning Catch, snapshots,
 * the form's messages, and a maze run through the real trainer process.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { algosFor, defaultParams, getAlgo, getWorld, makeEnv } from '../../src/core/catalog'
import { Ppo, gae, type PpoParams } from '../../src/core/agents/ppo'
import { JOYSTICK_ACTIONS, joystickAction } from '../../src/core/agents/ppo-params'
import { implementationOf } from '../../src/core/agents/implementations'
import { playGreedy } from '../../src/core/agents/play'
import { MAZE_ACTIONS } from '../../src/core/maze/env'
import { deriveSeed } from '../../src/core/rng'
import type { AgentSnapshot, EpisodeResult } from '../../src/core/agent'
import type { Env } from '../../src/core/env'
import type { ParamValues } from '../../src/core/params'
import { resolveRunConfig } from '../../src/shared/api'
import { RunStore } from '../../src/main/services/run-store'

const root = path.resolve(__dirname, '../..')

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

/** The small maze: a random player loses its 3 lives in some 250–750 steps, so games end at different times (the longest cut at 600). */
const MAZE = { preset: 'small', max_steps: 600 }
/** …and cut short, for tests that need many quick games. */
const MAZE_SHORT = { preset: 'small', max_steps: 30 }
const world = (id: string, envParams: ParamValues = {}) => () => makeEnv(id, envParams)

function agentFor(id: string, algo: string, values: ParamValues, seed: number, envParams: ParamValues = {}): Ppo {
  const make = world(id, envParams)
  const params = { ...defaultParams(id, algo), hidden: [16], ...values } as unknown as PpoParams
  return new Ppo(make(), params, seed, make)
}

async function play(agent: Ppo, episodes: number, record: (e: number) => boolean = () => false): Promise<EpisodeResult[]> {
  const out: EpisodeResult[] = []
  for await (const e of agent.train(episodes, record)) out.push(e)
  return out
}

/** The episode replayed from its seed and actions on a fresh env: its return and stats. */
function replay(env: Env, e: EpisodeResult): { return: number; length: number; stats: Record<string, number> | undefined } {
  env.reset(e.seed)
  let ret = 0
  let length = 0
  for (const a of e.actions) {
    const r = env.step(a)
    ret += r.reward
    length++
    if (r.terminated || r.truncated) break
  }
  return { return: ret, length, stats: env.episodeStats?.() }
}

/**
 * When each game ends on the agent's schedule, from the games' lengths: copies
 * 0…N−1 take games 0…N−1; each later game goes to the copy that is free first
 * (the lower copy on a tie, as the agent steps them in order).
 */
function endTimes(lengths: number[], copies: number): number[] {
  const busyUntil: number[] = []
  return lengths.map((length, k) => {
    const copy = k < copies ? k : busyUntil.reduce((best, t, i) => (t < busyUntil[best] ? i : best), 0)
    busyUntil[copy] = (k < copies ? 0 : busyUntil[copy]) + length
    return busyUntil[copy]
  })
}

const trace = (r: EpisodeResult[]) => r.map((e) => ({ episode: e.episode, seed: e.seed, actions: e.actions, return: e.return, metrics: e.metrics }))

describe('GAE', () => {
  test('matches a rollout worked by hand, two copies interleaved [step × copy]', () => {
    // Copy 0: rewards 1, 0, 2; values 0.5, 1, 1.5; its game ends at step 1; V after the last step 2.
    // Copy 1: rewards 0, 0, 1; values 0; its game ends at step 2 (so its last value 5 is not used).
    const rewards = [1, 0, 0, 0, 2, 1]
    const values = [0.5, 0, 1, 0, 1.5, 0]
    const ended = [0, 0, 1, 0, 0, 1]
    const { advantages, returns } = gae(rewards, values, ended, [2, 5], 0.9, 0.8)
    // Copy 0, backwards: t2 δ = 2 + 0.9·2 − 1.5 = 2.3; t1 ended: δ = 0 − 1 = −1, nothing carried;
    // t0 δ = 1 + 0.9·1 − 0.5 = 1.4, A = 1.4 + 0.9·0.8·(−1) = 0.68.
    // Copy 1: t2 ended: A = 1; t1 A = 0 + 0.72·1 = 0.72; t0 A = 0.72·0.72 = 0.5184.
    const want = [0.68, 0.5184, -1, 0.72, 2.3, 1]
    want.forEach((w, k) => expect(advantages[k]).toBeCloseTo(w, 6))
    want.forEach((w, k) => expect(returns[k]).toBeCloseTo(w + values[k], 6))
    // λ = 0 is the one-step TD error; λ = 1 the discounted return minus the value.
    expect(gae([1, 1], [0, 0], [0, 0], [10], 0.5, 0).advantages[0]).toBeCloseTo(1, 6)
    expect(gae([1, 1], [0, 0], [0, 0], [10], 0.5, 1).advantages[0]).toBeCloseTo(1 + 0.5 + 0.25 * 10, 6)
  })
})

describe('the seed’s joystick rule', () => {
  test('|y| > 0.5 picks up or down, then |x| > 0.5 adds right or left; the actions are the maze’s', () => {
    expect([...JOYSTICK_ACTIONS]).toEqual([...MAZE_ACTIONS])
    const cases: [number, number, string][] = [
      [0, 0, 'none'], [0.5, 0.5, 'none'], [-0.5, -0.5, 'none'], [0.4, -0.2, 'none'],
      [0, 0.6, 'up'], [0.5, 0.9, 'up'], [0, -0.6, 'down'], [-0.5, -3, 'down'],
      [0.6, 0, 'right'], [2, 0.5, 'right'], [-0.6, 0, 'left'], [-1, -0.5, 'left'],
      [0.6, 0.6, 'up-right'], [-0.6, 0.6, 'up-left'], [0.6, -0.6, 'down-right'], [-0.6, -0.6, 'down-left'],
    ]
    for (const [x, y, name] of cases) expect(JOYSTICK_ACTIONS[joystickAction(x, y)], `(${x}, ${y})`).toBe(name)
  })
})

describe('PPO', () => {
  test('is offered for every discrete world; the joystick only where the actions are the joystick’s', () => {
    const offered = (id: string) => algosFor(getWorld(id)).map((a) => a.id)
    for (const id of ['catch', 'snake', 'racer', 'maze']) expect(offered(id)).toContain('ppo')
    expect(offered('maze')).toContain('ppo-joystick')
    expect(offered('catch')).not.toContain('ppo-joystick')
    expect(getAlgo('ppo-joystick').supports(getWorld('catch'))).toMatch(/joystick actions .*Catch has its own actions/)
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo-joystick' })).toThrow(/Catch has its own actions/)
    expect(getAlgo('ppo').supports(getWorld('jets'))).toMatch(/data set/)
    expect(defaultParams('maze-v1', 'ppo-joystick')).toMatchObject({ policy: 'joystick', clip_coef: 0.2, lr: 2.5e-4, gamma: 0.95 })
    expect(defaultParams('catch-v1', 'ppo')).toMatchObject({ policy: 'categorical', clip_coef: 0.2, lr: 2.5e-4, gamma: 0.95, num_envs: 8 })
  })

  test('bad settings get the form’s messages', () => {
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo', params: { num_envs: 0 } })).toThrow('num_envs must be at least 1')
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo', params: { clip_coef: 0 } })).toThrow('clip_coef must be greater than 0')
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo', params: { clip_coef: -0.2 } })).toThrow('clip_coef must be greater than 0')
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo', params: { num_envs: 2, num_steps: 3, num_minibatches: 7 } })).toThrow(
      "num_minibatches 7 is more than a rollout's 6 transitions (num_envs × num_steps)",
    )
    // The rollout is bounded in bytes like a replay memory: 64 × 100 000 states of the full maze's 3 472 values are 83 GiB.
    expect(() => resolveRunConfig({ env: 'maze', algo: 'ppo', params: { num_envs: 64, num_steps: 100_000 } })).toThrow(
      'a rollout of num_envs × num_steps = 6400000 transitions of 3472 values needs 83.0 GiB (at most 1 GiB): use fewer num_steps or num_envs',
    )
    expect(() => resolveRunConfig({ env: 'catch', algo: 'ppo', params: { policy: 'joystick' } })).toThrow(/the joystick policy needs the 9 joystick actions/)
    const flat = { id: 'flat', observationSpace: { kind: 'box', shape: [12], low: 0, high: 1 }, actionSpace: { kind: 'discrete', n: 2, labels: ['a', 'b'] } } as unknown as Env
    expect(getAlgo('ppo').checkSettings!({ ...defaultParams('catch-v1', 'ppo'), network: 'conv' }, flat)).toBe('a conv network needs 2-D observations; flat gives 12 numbers')
  })

  test('same seed, same games; two calls continue as one; a different seed differs', async () => {
    const values = { num_envs: 3, num_steps: 8, num_minibatches: 2, update_epochs: 2 }
    const a = agentFor('catch-v1', 'ppo', values, 7)
    const b = agentFor('catch-v1', 'ppo', values, 7)
    const c = agentFor('catch-v1', 'ppo', values, 8)
    const straight = await play(a, 40)
    const inTwo = [...(await play(b, 17)), ...(await play(b, 23))]
    expect(trace(inTwo)).toEqual(trace(straight))
    expect(straight.at(-1)!.gradSteps).toBeGreaterThan(0)
    expect(trace(await play(c, 40))).not.toEqual(trace(straight))
    // Training leaks no tensors (Adam's moments exist by now).
    const tensors = tf.memory().numTensors
    await play(a, 20)
    expect(tf.memory().numTensors).toBe(tensors)
    for (const x of [a, b, c]) x.dispose()
  })

  test.each([
    ['categorical', 'ppo', 9],
    ['joystick', 'ppo-joystick', 2],
  ])('%s: exactly N games, in order, whose seeds and actions re-simulate them (stats too)', async (_, algo, perStep) => {
    const agent = agentFor('maze-v1', algo, { num_envs: 3, num_steps: 16, num_minibatches: 2, update_epochs: 1 }, 3, MAZE)
    const results = await play(agent, 7, (e) => e % 2 === 0)
    expect(results.map((e) => e.episode)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(results.map((e) => e.seed)).toEqual(results.map((e) => deriveSeed(3, e.episode)))
    // Some game ends before an earlier one, and is reported after it all the same.
    const ends = endTimes(results.map((e) => e.length), 3)
    expect(ends.some((t, k) => k > 0 && t < ends[k - 1])).toBe(true)
    const fresh = makeEnv('maze-v1', MAZE)
    for (const e of results) {
      const again = replay(fresh, e)
      expect(again).toEqual({ return: e.return, length: e.length, stats: e.stats })
      expect(e.actions.every((a) => Number.isInteger(a) && a >= 0 && a < 9)).toBe(true)
      expect(e.outputs?.length ?? null).toBe(e.episode % 2 === 0 ? e.length * perStep : null)
    }
    if (algo === 'ppo') for (const e of results) expect(e.outputs?.slice(0, 9).reduce((s, p) => s + p, 0) ?? 1).toBeCloseTo(1, 5)
    // The next call reports the next games.
    expect((await play(agent, 2)).map((e) => e.episode)).toEqual([7, 8])
    agent.dispose()
  })

  test('learns Catch: its greedy policy catches far more often than chance (⅓)', async () => {
    const agent = agentFor('catch-v1', 'ppo', { num_envs: 8, num_steps: 32, lr: 2.5e-3, hidden: [32] }, 1)
    const results = await play(agent, 1500)
    // NaN until the first update, numbers after.
    expect(results[0].metrics.approx_kl).toBeNaN()
    const last = results.at(-1)!.metrics
    for (const k of ['policy_loss', 'value_loss', 'entropy', 'approx_kl', 'clip_frac', 'explained_variance']) expect(Number.isFinite(last[k]), k).toBe(true)
    expect(last.entropy).toBeLessThan(Math.log(3))
    const greedy = await playGreedy(agent, makeEnv('catch-v1'), 1, 200, 77)
    expect(greedy.winFraction).toBeGreaterThan(0.8)
    agent.dispose()
  }, 120_000)

  test.each([
    ['categorical', 'catch-v1', 'ppo', {}],
    ['joystick', 'maze-v1', 'ppo-joystick', MAZE_SHORT],
  ])('%s: a snapshot restores weights, Adam, RNG and counters; the games not yet reported start again with their seeds', async (_, id, algo, envParams) => {
    const values = { num_envs: 3, num_steps: 8, num_minibatches: 2, update_epochs: 2, network: 'mlp' }
    const original = agentFor(id, algo, values, 5, envParams)
    await play(original, 12)
    // Through JSON, as the trainer stores it (NaN metrics become null).
    const stored = await original.snapshot()
    const snap: AgentSnapshot = { meta: JSON.parse(JSON.stringify(stored.meta)), blobs: stored.blobs }
    const make = world(id, envParams)
    const restore = async () => (await implementationOf('ppo').restore(make(), snap, make)) as Ppo
    const [b, c] = [await restore(), await restore()]
    const state = make().reset(123).obs.slice()
    expect(Array.from(await b.outputs(state))).toEqual(Array.from(await original.outputs(state)))
    expect(b.logStd?.dataSync()).toEqual(original.logStd?.dataSync())
    const moments = async (a: Ppo) => Promise.all((await a.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync())))
    expect(await moments(b)).toEqual(await moments(original))
    expect({ episode: b.episode, envSteps: b.envSteps, gradSteps: b.gradSteps, updates: b.updates }).toEqual({
      episode: 12, envSteps: original.envSteps, gradSteps: original.gradSteps, updates: original.updates,
    })
    const [fromB, fromC] = [await play(b, 10), await play(c, 10)]
    // A resumed run is a function of its snapshot: two restores play the same games.
    expect(trace(fromB)).toEqual(trace(fromC))
    expect(fromB.map((e) => e.episode)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21])
    expect(fromB.map((e) => e.seed)).toEqual(fromB.map((e) => deriveSeed(5, e.episode)))
    const fresh = make()
    for (const e of fromB) expect(replay(fresh, e).return).toBe(e.return)
    for (const x of [original, b, c]) x.dispose()
  })

  test('Play and Export: the saved policy network loads into a fresh agent and plays the same', async () => {
    const values = { num_envs: 2, num_steps: 8, num_minibatches: 1 }
    const trained = agentFor('catch-v1', 'ppo', values, 2)
    await play(trained, 20)
    const fresh = agentFor('catch-v1', 'ppo', values, 99)
    fresh.loadWeights((await trained.artifacts()) as tf.io.ModelArtifacts)
    const env = makeEnv('catch-v1')
    const state = env.reset(4).obs.slice()
    expect(Array.from(await fresh.outputs(state))).toEqual(Array.from(await trained.outputs(state)))
    expect(await playGreedy(fresh, env, 1, 5, 1)).toEqual(await playGreedy(trained, env, 1, 5, 1))
    const other = agentFor('catch-v1', 'ppo', { ...values, hidden: [8] }, 1)
    const saved = await trained.artifacts()
    expect(() => other.loadWeights(saved)).toThrow(/do not fit this network/)
    for (const x of [trained, fresh, other]) x.dispose()
  })
})

describe('quarkade train --algo ppo', () => {
  test('trains the small maze through the real trainer: final JSON with mean_return and run_means, replays that re-simulate', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-ppo-'))
    try {
      const r = spawnSync(
        process.execPath,
        [path.join(root, 'bin/quarkade.mjs'), 'train', '--env', 'maze', '--algo', 'ppo', '--env-set', 'preset=small', '--episodes', '2', '--seed', '4', '--json', '--data-dir', dataDir],
        { encoding: 'utf8', timeout: 240_000 },
      )
      expect(r.status, String(r.stderr)).toBe(0)
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!)
      expect(out).toMatchObject({ status: 'completed', algo: 'ppo', episodes: 2 })
      expect(out.grad_steps).toBeGreaterThan(0)
      expect(typeof out.mean_return).toBe('number')
      expect(out.run_means).toMatchObject({ return: out.mean_return })
      expect(typeof out.run_means.score).toBe('number')
      const store = new RunStore(dataDir)
      try {
        const run = store.getRun(out.run_id)
        const episodes = store.episodes(out.run_id)
        expect(episodes.map((e) => e.episode)).toEqual([0, 1])
        // Both are replays (episode 0, and the run's last); each re-simulates to its stored return, probabilities per step.
        const env = makeEnv('maze-v1', run.config.env_params)
        for (const e of episodes) {
          const rep = store.replay(out.run_id, e.episode)
          expect(rep.seed).toBe(deriveSeed(4, e.episode))
          expect(rep.outputs).toHaveLength(e.length * 9)
          env.reset(rep.seed)
          let ret = 0
          for (const a of rep.actions) ret += env.step(a).reward
          expect(ret).toBe(e.return)
        }
        // The per-game stats are each game's own: the mean score is the mean return under the vanilla reward.
        expect(out.run_means.score).toBe(out.mean_return)
      } finally {
        store.close()
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 300_000)
})
