/**
 * The reward functions on hand-made transitions, the seed's bugs fixed, and the
 * settings acting on real episodes (the seed parsed -d/-g and then ignored them).
 */
import { describe, expect, test } from 'vitest'
import { noEvents, type MazeEvents } from '../../src/core/maze/game'
import { MazeEnv } from '../../src/core/maze/env'
import { makeEnv } from '../../src/core/catalog'
import {
  DEFAULT_WEIGHTS,
  parseRewardDefinition,
  rewardDefinitionText,
  rewardEnvSettings,
  reward,
  type RewardFunction,
  type RewardSettings,
} from '../../src/core/maze/rewards'
import { Rng } from '../../src/core/rng'

const events = (e: Partial<MazeEvents>): MazeEvents => ({ ...noEvents(), ...e })
const settings = (fn: RewardFunction, more: Partial<RewardSettings> = {}): RewardSettings => ({ fn, deathPen: 500, ghostMul: 2, weights: DEFAULT_WEIGHTS, ...more })
const sum = ([p, n]: [number, number]): number => p + n

describe('the six reward functions', () => {
  const pellet = events({ points: 10, pellets: 1 })
  const ghost = events({ points: 410, pellets: 1, ghosts: 1 }) // 400 for a second ghost + a pellet
  const onlyGhost = events({ points: 200, ghosts: 1 })
  const death = events({ points: 10, pellets: 1, deaths: 1 })
  const nothing = events({})

  test('vanilla is the score change', () => {
    expect(reward(settings('vanilla'), pellet)).toEqual([10, 0])
    expect(reward(settings('vanilla'), death)).toEqual([10, 0])
  })

  test('life_penalty takes 1 per step, including the last', () => {
    expect(reward(settings('life_penalty'), pellet)).toEqual([10, -1])
    expect(reward(settings('life_penalty'), nothing)).toEqual([0, -1])
  })

  test('death_tax returns a number when no life is lost (the seed returned None) and r − death_pen when one is', () => {
    const noDeath = reward(settings('death_tax'), pellet)
    expect(noDeath).toEqual([10, 0])
    expect(Number.isFinite(sum(noDeath))).toBe(true)
    expect(sum(reward(settings('death_tax'), death))).toBe(10 - 500)
    expect(sum(reward(settings('death_tax', { deathPen: 100 }), death))).toBe(10 - 100)
    expect(sum(reward(settings('death_tax', { deathPen: 100 }), events({ deaths: 2 })))).toBe(-200)
  })

  test('ghostbusters multiplies steps worth more than 200 points', () => {
    expect(reward(settings('ghostbusters'), ghost)).toEqual([820, 0])
    expect(reward(settings('ghostbusters', { ghostMul: 3 }), ghost)).toEqual([1230, 0])
    // The seed's rule is r > 200: a first ghost alone (exactly 200) is not multiplied.
    expect(reward(settings('ghostbusters'), onlyGhost)).toEqual([200, 0])
    expect(reward(settings('ghostbusters'), pellet)).toEqual([10, 0])
  })

  test('split_q is the pair (ghost rule + 1, −death_pen · lives lost); parameterized is the same without the +1', () => {
    expect(reward(settings('split_q'), ghost)).toEqual([821, 0])
    expect(reward(settings('split_q', { deathPen: 100 }), death)).toEqual([11, -100])
    expect(reward(settings('parameterized', { deathPen: 100 }), death)).toEqual([10, -100])
    expect(reward(settings('parameterized', { ghostMul: 3 }), ghost)).toEqual([1230, 0])
  })

  test('custom weighs each event, positives and negatives in their own streams', () => {
    const w = { ...DEFAULT_WEIGHTS, w_pellet: 1, w_ghost: 5, w_death: -20, w_step: -0.5, w_level: 100 }
    expect(reward(settings('custom', { weights: w }), events({ points: 1210, pellets: 1, ghosts: 1, deaths: 1, levels: 1 }))).toEqual([106, -20.5])
    expect(reward(settings('custom', { weights: w }), nothing)).toEqual([0, -0.5])
  })
})

describe('in the env', () => {
  /** One seeded random-policy episode; per step: reward, parts and events. */
  function episode(params: Record<string, unknown>, seed = 4): { rewards: number[]; parts: [number, number][]; events: MazeEvents[] } {
    const env = makeEnv('maze', { preset: 'small', max_steps: 2000, ...params }, 0) as MazeEnv
    env.reset(seed)
    const rng = new Rng(seed)
    const out = { rewards: [] as number[], parts: [] as [number, number][], events: [] as MazeEvents[] }
    for (;;) {
      const r = env.step(rng.int(0, 9))
      out.rewards.push(r.reward)
      out.parts.push([...r.info.rewardParts])
      out.events.push({ ...r.info.events })
      if (r.terminated || r.truncated) return out
    }
  }
  const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

  test('death_pen and ghost_mul change the returns (the seed ignored its -d and -g flags)', () => {
    const a = episode({ reward: 'death_tax', death_pen: 100 })
    const b = episode({ reward: 'death_tax', death_pen: 1000 })
    const deaths = total(a.events.map((e) => e.deaths))
    expect(deaths).toBe(3) // a random policy loses every life
    expect(total(a.rewards) - total(b.rewards)).toBe(900 * deaths)

    const g1 = episode({ reward: 'ghostbusters', ghost_mul: 1 })
    const g3 = episode({ reward: 'ghostbusters', ghost_mul: 3 })
    const big = total(g1.events.map((e) => (e.points > 200 ? e.points : 0)))
    expect(big).toBeGreaterThan(0)
    expect(total(g3.rewards) - total(g1.rewards)).toBe(2 * big)
  })

  test('the final step keeps its reward (the seed forced it to 0), and the scalar reward is the sum of the pair', () => {
    const run = episode({ reward: 'death_tax', death_pen: 500 })
    const last = run.rewards.length - 1
    expect(run.events[last].deaths).toBe(1)
    expect(run.rewards[last]).toBe(run.events[last].points - 500)
    run.rewards.forEach((r, i) => expect(r).toBe(run.parts[i][0] + run.parts[i][1]))
    const split = episode({ reward: 'split_q', death_pen: 500 })
    expect(split.parts[last]).toEqual([split.events[last].points + 1, -500])
  })

  test('vanilla returns add up to the score', () => {
    const env = new MazeEnv(0, { preset: 'small' })
    env.reset(9)
    const rng = new Rng(9)
    let ret = 0
    for (let done = false; !done; ) {
      const r = env.step(rng.int(0, 9))
      ret += r.reward
      done = r.terminated || r.truncated
    }
    expect(ret).toBe(env.episodeStats().score)
    expect(ret).toBeGreaterThan(0)
  })
})

describe('a saved reward function', () => {
  test('reads back what was saved, defaults for weights left out, and becomes the world settings of a custom reward', () => {
    const def = parseRewardDefinition('{"name": "careful", "weights": {"w_death": -2000, "w_step": -1}}')
    expect(def).toEqual({ name: 'careful', weights: { ...DEFAULT_WEIGHTS, w_death: -2000, w_step: -1 } })
    expect(parseRewardDefinition(rewardDefinitionText(def))).toEqual(def)
    const env = makeEnv('maze', rewardEnvSettings(def), 0) as MazeEnv
    expect(env.rewardSettings.fn).toBe('custom')
    expect(env.rewardSettings.weights.w_death).toBe(-2000)
  })

  test('a bad file gets one line naming the problem', () => {
    expect(() => parseRewardDefinition('{oops')).toThrow('the reward file is not JSON')
    expect(() => parseRewardDefinition('[]')).toThrow('one object with "name" and "weights"')
    expect(() => parseRewardDefinition('{"name": "x", "weights": {"w_bonus": 1}}')).toThrow('unknown weight "w_bonus"')
    expect(() => parseRewardDefinition('{"name": "x", "weights": {"w_death": "a lot"}}')).toThrow('weight w_death must be a number')
    expect(() => parseRewardDefinition('{"name": "", "weights": {}}')).toThrow('the reward needs a name')
    expect(() => parseRewardDefinition('{"name": "../x", "weights": {}}')).toThrow('the reward needs a name')
    expect(() => parseRewardDefinition('{"name": "x", "weights": {}, "extra": 1}')).toThrow('unknown key "extra"')
  })
})
