import { describe, expect, it } from 'vitest'
import { RacerEnv, RacerVecEnv, RACER_OBS_MODES, type RacerObsMode } from '../../src/core/racer/env'
import { greedyRollout } from '../../src/core/racer/rollout'
import { renderTrackAscii, shortestPath, trackFromAscii, TrackFormatError, type Track } from '../../src/core/racer/track'
import { makeRacerEnv, RACER_ENV_PARAMS } from '../../src/core/racer/settings'
import { paramsSchema } from '../../src/core/params'
import { builtinTrack } from '../../src/core/racer/builtin-tracks'
import { Rng } from '../../src/core/rng'

/** A 4×3 track: start top-left, a wall in the middle, goal bottom-right. */
const SMALL = trackFromAscii(['S.#.', '.#..', '...G'])
const W = 4
const H = 3

/** The observation a mode should show, built from the ASCII drawing independently of env.ts. */
function expectedObs(track: Track, mode: RacerObsMode, x: number, y: number): Float32Array {
  const n = track.width * track.height
  const racer = y * track.width + x
  if (mode === 'onehot') {
    const o = new Float32Array(n)
    o[racer] = 1
    return o
  }
  const rows = [...track.cells]
  if (mode === 'map') {
    const o = Float32Array.from(rows, (c) => (c === 1 ? 1 : c === 3 ? 0.25 : 0))
    o[racer] = 0.5
    return o
  }
  const o = new Float32Array(n * 3)
  rows.forEach((c, i) => {
    o[i * 3] = c === 1 ? 1 : 0
    o[i * 3 + 1] = c === 3 ? 1 : 0
  })
  o[racer * 3 + 2] = 1
  return o
}

const DOWN = 0
const LEFT = 1
const UP = 2
const RIGHT = 3

describe('RacerEnv spaces', () => {
  it('declares the three observation shapes and the four actions as labelled in FORMAT.md', () => {
    const t = builtinTrack('track1')
    expect(new RacerEnv(t).observationSpace).toEqual({ kind: 'box', shape: [121], low: 0, high: 1 })
    expect(new RacerEnv(t, { obs: 'map' }).observationSpace.shape).toEqual([121])
    expect(new RacerEnv(t, { obs: 'image' }).observationSpace.shape).toEqual([11, 11, 3])
    const env = new RacerEnv(t)
    expect(env.id).toBe('racer')
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 4, labels: ['down', 'left', 'up', 'right'] })
    expect(env.numStates).toBe(121)
  })

  it('refuses invalid tracks, obs modes, options and actions', () => {
    expect(() => new RacerEnv(trackFromAscii(['...', '..G']))).toThrow(TrackFormatError)
    expect(() => new RacerEnv(trackFromAscii(['S#G']))).toThrow(/cannot be reached/)
    expect(() => new RacerEnv(SMALL, { obs: 'pixels' as never })).toThrow(/obs must be one of onehot, map, image/)
    expect(() => new RacerEnv(SMALL, { maxSteps: 0 })).toThrow(/maxSteps/)
    expect(() => new RacerEnv(SMALL, { stepCost: NaN })).toThrow(/stepCost/)
    const env = new RacerEnv(SMALL)
    env.reset()
    expect(() => env.step(4)).toThrow(/action must be 0, 1, 2 or 3/)
    expect(() => env.step(-1)).toThrow(/action/)
    expect(() => env.stateOfObs(new Float32Array(12))).toThrow(/no racer in this observation/)
  })

  it('keeps its own copy of the track, so editing the original does not change a running env', () => {
    const t = trackFromAscii(['S.G'])
    const env = new RacerEnv(t)
    t.cells[1] = 1 // a wall between start and goal, added after the env was made
    env.reset()
    env.step(RIGHT)
    expect(env.step(RIGHT)).toMatchObject({ reward: 1, terminated: true })
    expect(env.track.cells[1]).toBe(0)
  })
})

describe('RacerEnv rules', () => {
  it('moves: 0 → y+1, 1 → x−1, 2 → y−1, 3 → x+1; the off-grid edge and walls leave the racer in place', () => {
    const env = new RacerEnv(SMALL)
    env.reset()
    const at = () => [env.renderState().x, env.renderState().y]
    env.step(UP) // off the top edge
    expect(at()).toEqual([0, 0])
    env.step(LEFT) // off the left edge
    expect(at()).toEqual([0, 0])
    env.step(RIGHT)
    expect(at()).toEqual([1, 0])
    env.step(RIGHT) // (2,0) is a wall
    expect(at()).toEqual([1, 0])
    env.step(DOWN) // (1,1) is a wall
    expect(at()).toEqual([1, 0])
    env.step(LEFT)
    env.step(DOWN)
    expect(at()).toEqual([0, 1])
    env.step(UP)
    expect(at()).toEqual([0, 0])
    expect(env.renderState()).toEqual({ x: 0, y: 0, width: 4, height: 3, steps: 8, won: false })
  })

  it('on track1: down and left from the start hit walls, up moves', () => {
    const env = new RacerEnv(builtinTrack('track1'))
    env.reset()
    expect(env.renderState()).toMatchObject({ x: 1, y: 9 })
    env.step(DOWN)
    env.step(LEFT)
    expect(env.renderState()).toMatchObject({ x: 1, y: 9 })
    env.step(UP)
    expect(env.renderState()).toMatchObject({ x: 1, y: 8 })
  })

  it('reward 0 per step, +1 and terminated on entering a goal; stepping after the end throws; reset restarts', () => {
    const env = new RacerEnv(SMALL)
    env.reset()
    const rewards: number[] = []
    const path = [DOWN, DOWN, RIGHT, RIGHT, RIGHT]
    path.forEach((a, k) => {
      const r = env.step(a)
      rewards.push(r.reward)
      expect(r.terminated).toBe(k === path.length - 1)
      expect(r.truncated).toBe(false)
    })
    expect(rewards).toEqual([0, 0, 0, 0, 1])
    expect(env.isWon()).toBe(true)
    expect(env.renderState()).toEqual({ x: 3, y: 2, width: 4, height: 3, steps: 5, won: true })
    expect(() => env.step(UP)).toThrow(/after the episode ended/)
    env.reset()
    expect(env.isWon()).toBe(false)
    expect(env.renderState()).toMatchObject({ x: 0, y: 0, steps: 0 })
  })

  it('step_cost is subtracted from every non-goal step, not from the goal reward', () => {
    const env = new RacerEnv(SMALL, { stepCost: 0.01 })
    env.reset()
    const rewards = [DOWN, UP, DOWN, DOWN, RIGHT, RIGHT, RIGHT].map((a) => env.step(a).reward)
    expect(rewards).toEqual([-0.01, -0.01, -0.01, -0.01, -0.01, -0.01, 1])
  })

  it('truncates after max_steps unless the goal was entered on that step', () => {
    const env = new RacerEnv(SMALL, { maxSteps: 3 })
    env.reset()
    expect(env.step(UP).truncated).toBe(false)
    expect(env.step(UP).truncated).toBe(false)
    const r = env.step(UP)
    expect([r.truncated, r.terminated, r.reward]).toEqual([true, false, 0])
    expect(env.isWon()).toBe(false)
    expect(() => env.step(UP)).toThrow(/after the episode ended/)
    const exact = new RacerEnv(SMALL, { maxSteps: 5 })
    exact.reset()
    const last = [DOWN, DOWN, RIGHT, RIGHT, RIGHT].map((a) => exact.step(a)).at(-1)!
    expect([last.terminated, last.truncated]).toEqual([true, false])
  })

  it('following the BFS path reaches the goal of track1 in 18 moves and of track2 in 15', () => {
    for (const [name, steps] of [['track1', 18], ['track2', 15]] as const) {
      const t = builtinTrack(name)
      const env = new RacerEnv(t)
      env.reset()
      const results = shortestPath(t)!.actions.map((a) => ({ ...env.step(a) }))
      expect(results).toHaveLength(steps)
      expect(results.slice(0, -1).every((r) => r.reward === 0 && !r.terminated)).toBe(true)
      expect(results.at(-1)).toMatchObject({ reward: 1, terminated: true })
    }
  })
})

describe('RacerEnv observations', () => {
  for (const mode of RACER_OBS_MODES)
    it(`${mode}: exact contents after reset and every step of a random walk`, () => {
      const t = builtinTrack('track2')
      const env = new RacerEnv(t, { obs: mode })
      let obs = env.reset().obs
      expect(obs).toEqual(expectedObs(t, mode, 1, 9))
      const rng = new Rng(5)
      for (let k = 0; k < 300; k++) {
        const r = env.step(rng.int(0, 4))
        const s = env.renderState()
        expect(r.obs).toBe(obs) // the env owns one buffer
        expect(r.obs).toEqual(expectedObs(t, mode, s.x, s.y))
        expect(env.stateOfObs(r.obs)).toBe(s.y * 11 + s.x)
        expect(env.stateIndex()).toBe(s.y * 11 + s.x)
        if (r.terminated || r.truncated) obs = env.reset().obs
      }
    })

  it("map mode uses the seed's values: wall 1, goal 0.25, racer 0.5, empty 0 (the start is empty once left)", () => {
    const env = new RacerEnv(SMALL, { obs: 'map' })
    env.reset()
    const obs = env.step(DOWN).obs
    expect(Array.from(obs)).toEqual([0, 0, 1, 0, 0.5, 1, 0, 0, 0, 0, 0, 0.25])
  })

  it('image mode: channel 0 walls, 1 goals, 2 racer, laid out [H, W, 3]', () => {
    const env = new RacerEnv(SMALL, { obs: 'image' })
    const obs = env.reset().obs
    const ch = (c: number) => Array.from({ length: W * H }, (_, i) => obs[i * 3 + c])
    expect(ch(0)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    expect(ch(1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(ch(2)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
  })
})

describe('determinism', () => {
  it('same actions → same trajectory; the reset seed does not change the (fixed) start', () => {
    const t = builtinTrack('track1')
    const run = (seed: number): number[] => {
      const env = new RacerEnv(t, { obs: 'map', maxSteps: 50 })
      env.reset(seed)
      const rng = new Rng(9)
      const trace: number[] = []
      for (let k = 0; k < 500; k++) {
        const r = env.step(rng.int(0, 4))
        trace.push(env.stateIndex(), r.reward, +r.terminated, +r.truncated)
        if (r.terminated || r.truncated) env.reset(seed + k)
      }
      return trace
    }
    expect(run(1)).toEqual(run(1))
    expect(run(2)).toEqual(run(1))
  })
})

describe('RacerVecEnv', () => {
  for (const mode of RACER_OBS_MODES)
    it(`${mode}: matches N single envs stepped alike, with auto-reset`, () => {
      const t = builtinTrack('track2')
      const N = 5
      const vec = new RacerVecEnv(t, N, { obs: mode, maxSteps: 40, stepCost: 0.1 })
      const singles = Array.from({ length: N }, () => new RacerEnv(t, { obs: mode, maxSteps: 40, stepCost: 0.1 }))
      const size = singles[0].rules.obsSize
      const first = vec.reset(123)
      // Each single env overwrites one buffer of its own, so these stay current.
      const obs = singles.map((e) => e.reset().obs)
      singles.forEach((_, i) => expect(first.subarray(i * size, (i + 1) * size)).toEqual(obs[i]))
      const rng = new Rng(3)
      const actions = new Int32Array(N)
      const mismatches: string[] = [] // collected, since 3000 expect() calls on typed arrays are slow
      let ends = 0
      for (let k = 0; k < 600; k++) {
        for (let i = 0; i < N; i++) actions[i] = rng.int(0, 4)
        vec.step(actions)
        singles.forEach((e, i) => {
          const r = e.step(actions[i])
          const want = [Math.fround(r.reward), +r.terminated, +r.truncated]
          const got = [vec.rewards[i], vec.terminated[i], vec.truncated[i]]
          if (want.join() !== got.join()) mismatches.push(`step ${k} env ${i}: ${got} vs ${want}`)
          if (r.terminated || r.truncated) {
            ends++
            e.reset()
          }
          for (let j = 0; j < size; j++)
            if (vec.obs[i * size + j] !== obs[i][j]) {
              mismatches.push(`step ${k} env ${i}: obs[${j}]`)
              break
            }
        })
      }
      expect(mismatches).toEqual([])
      expect(ends).toBeGreaterThan(N)
    })

  it('rejects a bad numEnvs and bad actions', () => {
    expect(() => new RacerVecEnv(SMALL, 0)).toThrow(/numEnvs/)
    const vec = new RacerVecEnv(SMALL, 2)
    for (const bad of [4, -1, 1.5, NaN]) expect(() => vec.step([0, bad])).toThrow(/action must be 0, 1, 2 or 3/)
  })
})

describe('greedyRollout', () => {
  it('counts the moves a policy takes to the goal', async () => {
    const t = builtinTrack('track1')
    const plan = shortestPath(t)!.actions
    let k = 0
    const r = await greedyRollout(new RacerEnv(t), () => plan[k++], 100)
    expect(r).toEqual({ steps: 18, reachedGoal: true, actions: plan })
  })

  it('is null for a policy that never arrives, stopping at maxSteps or at the env truncation', async () => {
    const t = builtinTrack('track1')
    expect(await greedyRollout(new RacerEnv(t), () => DOWN, 30)).toEqual({ steps: null, reachedGoal: false, actions: Array(30).fill(DOWN) })
    const capped = await greedyRollout(new RacerEnv(t, { maxSteps: 10 }), () => DOWN, 30)
    expect(capped).toMatchObject({ steps: null, reachedGoal: false })
    expect(capped.actions).toHaveLength(10)
  })
})

describe('RACER_ENV_PARAMS / makeRacerEnv', async () => {
  it('builds the env the settings describe, defaults included', async () => {
    const values = paramsSchema(RACER_ENV_PARAMS).parse({})
    expect(values).toEqual({ track: 'track1', obs: 'onehot', step_cost: 0, max_steps: 100 })
    const env = makeRacerEnv(values)
    expect(renderTrackAscii(env.track)).toBe(renderTrackAscii(builtinTrack('track1')))
    expect([env.rules.obsMode, env.rules.stepCost, env.rules.maxSteps]).toEqual(['onehot', 0, 100])
    const custom = makeRacerEnv({ ...values, obs: 'image', step_cost: 0.05, max_steps: 7 }, SMALL)
    expect(custom.observationSpace.shape).toEqual([3, 4, 3])
    expect([custom.rules.stepCost, custom.rules.maxSteps]).toEqual([0.05, 7])
    expect(paramsSchema(RACER_ENV_PARAMS).safeParse({ track: 'track9' }).success).toBe(false)
  })
})
