import { describe, expect, it } from 'vitest'
import { CATCH_SIZE, CatchEnv, CatchVecEnv, catchReward, catchStep, type CatchState } from '../../src/core/catch/env'
import { Rng } from '../../src/core/rng'

const N = 10
const CELLS = N * N

/** The reference rules, written out independently of the implementation. */
function refStep(s: CatchState, action: number): CatchState {
  const basket = Math.min(8, Math.max(1, s.basket + (action - 1)))
  return { fruitRow: s.fruitRow + 1, fruitCol: s.fruitCol, basket }
}
function refReward(s: CatchState): number {
  if (s.fruitRow < 9) return 0
  return Math.abs(s.fruitCol - s.basket) <= 1 ? 1 : -1
}

/** Indices of the cells that must be 1 for a state (fruit + 3 basket cells, which may overlap). */
function expectedCells(s: CatchState): number[] {
  const set = new Set([s.fruitRow * N + s.fruitCol, 90 + s.basket - 1, 90 + s.basket, 90 + s.basket + 1])
  return [...set].sort((a, b) => a - b)
}

/** Asserts obs is exactly the drawing of `s`: 0/1 only, the right cells set, sum = their count. */
function expectObs(obs: Float32Array, s: CatchState, offset = 0): void {
  const on: number[] = []
  const odd: number[] = []
  let sum = 0
  for (let k = 0; k < CELLS; k++) {
    const v = obs[offset + k]
    if (v !== 0 && v !== 1) odd.push(v)
    sum += v
    if (v === 1) on.push(k)
  }
  const want = expectedCells(s)
  expect(odd).toEqual([])
  expect(on).toEqual(want)
  expect(sum).toBe(want.length)
}

/** Reads a start state back from an observation slice (fruit on row 0, basket on row 9). */
function decodeStart(obs: Float32Array, offset: number): CatchState {
  let fruitCol = -1
  for (let c = 0; c < N; c++) if (obs[offset + c] === 1) fruitCol = c
  let first = -1
  for (let c = 0; c < N; c++) if (obs[offset + 90 + c] === 1 && first < 0) first = c
  return { fruitRow: 0, fruitCol, basket: first + 1 }
}

/** Some seed whose first reset gives this start state (there are only 9×7 of them). */
const seedForStart = new Map<string, number>()
for (let seed = 0; seedForStart.size < 63 && seed < 100_000; seed++) {
  const st = new CatchEnv(seed)
  st.reset()
  const s = st.renderState()
  const key = `${s.fruitCol},${s.basket}`
  if (!seedForStart.has(key)) seedForStart.set(key, seed)
}
function envStartingAt(fruitCol: number, basket: number): CatchEnv {
  const seed = seedForStart.get(`${fruitCol},${basket}`)
  if (seed === undefined) throw new Error(`no seed starts at fruit ${fruitCol}, basket ${basket}`)
  const env = new CatchEnv()
  env.reset(seed)
  expect(env.renderState()).toEqual({ fruitRow: 0, fruitCol, basket })
  return env
}

/** Moves the basket one column per step toward `target`, then stays. */
const steer = (basket: number, target: number): number => (basket < target ? 2 : basket > target ? 0 : 1)

describe('CatchEnv spaces', () => {
  it('declares a 10×10 box in [0,1] and 3 discrete actions left/stay/right', () => {
    const env = new CatchEnv(0)
    expect(CATCH_SIZE).toBe(10)
    expect(env.id).toBe('catch')
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [10, 10], low: 0, high: 1 })
    expect(env.actionSpace.kind).toBe('discrete')
    expect(env.actionSpace.n).toBe(3)
    expect(env.actionSpace.labels).toEqual(['left', 'stay', 'right'])
    expect(env.reset(0).obs.length).toBe(100)
  })
})

describe('CatchEnv start states', () => {
  it('puts the fruit on row 0 in columns 0–8 (all reached, never 9) and the basket centre in 1–7', () => {
    const fruitCols = new Set<number>()
    const baskets = new Set<number>()
    for (let seed = 0; seed < 2000; seed++) {
      const env = new CatchEnv()
      const { obs } = env.reset(seed)
      const s = env.renderState()
      expect(s.fruitRow).toBe(0)
      expect(s.fruitCol).toBeGreaterThanOrEqual(0)
      expect(s.fruitCol).toBeLessThanOrEqual(8)
      expect(s.basket).toBeGreaterThanOrEqual(1)
      expect(s.basket).toBeLessThanOrEqual(7)
      expectObs(obs, s)
      fruitCols.add(s.fruitCol)
      baskets.add(s.basket)
    }
    expect([...fruitCols].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect([...baskets].sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
    // Every one of the 9×7 start states occurs.
    expect(seedForStart.size).toBe(63)
  })

  it('reset() without a seed continues the stream; reset(seed) restarts it', () => {
    const env = new CatchEnv(5)
    const starts: string[] = []
    for (let k = 0; k < 50; k++) {
      env.reset()
      starts.push(JSON.stringify(env.renderState()))
    }
    expect(new Set(starts).size).toBeGreaterThan(10)
    const again = new CatchEnv(123)
    again.reset(5)
    expect(JSON.stringify(again.renderState())).toBe(starts[0])
  })

  it('a reset clears the previous episode from the observation', () => {
    const env = new CatchEnv(3)
    env.reset()
    for (let t = 0; t < 5; t++) env.step(2)
    const { obs } = env.reset()
    expectObs(obs, env.renderState())
    for (let t = 0; t < 9; t++) env.step(0)
    const r = env.reset()
    expectObs(r.obs, env.renderState())
  })
})

describe('CatchEnv actions and dynamics', () => {
  it('0 moves the basket left, 1 keeps it, 2 moves it right', () => {
    const env = envStartingAt(4, 4)
    env.step(0)
    expect(env.renderState().basket).toBe(3)
    env.step(1)
    expect(env.renderState().basket).toBe(3)
    env.step(2)
    expect(env.renderState().basket).toBe(4)
    env.step(2)
    expect(env.renderState().basket).toBe(5)
  })

  it('clamps the basket centre to 1..8 so all three cells stay on the board', () => {
    const left = envStartingAt(0, 1)
    let r = left.step(0)
    expect(left.renderState().basket).toBe(1)
    expect([r.obs[90], r.obs[91], r.obs[92]]).toEqual([1, 1, 1])
    const right = envStartingAt(0, 7)
    right.step(2)
    expect(right.renderState().basket).toBe(8)
    r = right.step(2)
    expect(right.renderState().basket).toBe(8)
    expect([r.obs[97], r.obs[98], r.obs[99]]).toEqual([1, 1, 1])
    expectObs(r.obs, right.renderState())
    // The pure rule, exhaustively.
    const out: CatchState = { fruitRow: 0, fruitCol: 0, basket: 0 }
    for (let basket = 1; basket <= 8; basket++)
      for (let a = 0; a < 3; a++) {
        catchStep({ fruitRow: 2, fruitCol: 6, basket }, a, out)
        expect(out).toEqual({ fruitRow: 3, fruitCol: 6, basket: Math.min(8, Math.max(1, basket + a - 1)) })
      }
  })

  it('drops the fruit one row per step, keeps its column, and ends after exactly 9 steps', () => {
    const env = new CatchEnv(11)
    for (let ep = 0; ep < 20; ep++) {
      env.reset()
      const col = env.renderState().fruitCol
      for (let t = 1; t <= 9; t++) {
        const r = env.step(t % 3)
        expect(env.renderState().fruitRow).toBe(t)
        expect(env.renderState().fruitCol).toBe(col)
        expect(r.terminated).toBe(t === 9)
        expect(r.truncated).toBe(false)
        if (t < 9) expect(r.reward).toBe(0)
        else expect(Math.abs(r.reward)).toBe(1)
      }
    }
  })

  it('matches the reference rules cell by cell at every step (random play, many seeds)', () => {
    const actions = new Rng(99)
    let wins = 0
    let losses = 0
    for (let seed = 0; seed < 300; seed++) {
      const env = new CatchEnv()
      const first = env.reset(seed)
      let s = env.renderState()
      expectObs(first.obs, s)
      for (let t = 1; t <= 9; t++) {
        const a = actions.int(0, 3)
        const r = env.step(a)
        s = refStep(s, a)
        expect(env.renderState()).toEqual(s)
        expectObs(r.obs, s)
        expect(r.reward).toBe(refReward(s))
        expect(r.terminated).toBe(t === 9)
      }
      expect(env.isWon()).toBe(refReward(s) === 1)
      if (env.isWon()) wins++
      else losses++
    }
    expect(wins).toBeGreaterThan(0)
    expect(losses).toBeGreaterThan(0)
  })
})

describe('CatchEnv rewards', () => {
  it('pays +1 iff |fruitCol − basket| ≤ 1 when the fruit reaches row 9, −1 otherwise, 0 before', () => {
    // Steer the basket to every possible final centre from every start.
    for (let fruitCol = 0; fruitCol <= 8; fruitCol++)
      for (let start = 1; start <= 7; start++)
        for (let target = 1; target <= 8; target++) {
          const env = envStartingAt(fruitCol, start)
          let r = env.step(steer(start, target))
          for (let t = 2; t <= 9; t++) {
            expect(r.reward).toBe(0)
            expect(env.isWon()).toBe(false)
            r = env.step(steer(env.renderState().basket, target))
          }
          expect(r.terminated).toBe(true)
          expect(env.renderState().basket).toBe(target)
          const caught = Math.abs(fruitCol - target) <= 1
          expect(r.reward).toBe(caught ? 1 : -1)
          expect(env.isWon()).toBe(caught)
          // Caught: the fruit lies inside the basket, so only 3 cells are lit.
          let sum = 0
          for (const v of r.obs) sum += v
          expect(sum).toBe(caught ? 3 : 4)
        }
  })

  it('catchReward: boundaries at distance 1 and 2, zero above the bottom row', () => {
    expect(catchReward({ fruitRow: 9, fruitCol: 5, basket: 4 })).toBe(1)
    expect(catchReward({ fruitRow: 9, fruitCol: 5, basket: 5 })).toBe(1)
    expect(catchReward({ fruitRow: 9, fruitCol: 5, basket: 6 })).toBe(1)
    expect(catchReward({ fruitRow: 9, fruitCol: 5, basket: 3 })).toBe(-1)
    expect(catchReward({ fruitRow: 9, fruitCol: 5, basket: 7 })).toBe(-1)
    expect(catchReward({ fruitRow: 9, fruitCol: 0, basket: 1 })).toBe(1)
    expect(catchReward({ fruitRow: 8, fruitCol: 5, basket: 5 })).toBe(0)
    expect(catchReward({ fruitRow: 0, fruitCol: 5, basket: 5 })).toBe(0)
  })

  it('a basket that chases the fruit always wins; one that flees always loses', () => {
    for (let seed = 0; seed < 200; seed++) {
      const chase = new CatchEnv()
      chase.reset(seed)
      let r
      do r = chase.step(steer(chase.renderState().basket, chase.renderState().fruitCol))
      while (!r.terminated)
      expect(r.reward).toBe(1)
      expect(chase.isWon()).toBe(true)

      const flee = new CatchEnv()
      flee.reset(seed)
      const away = flee.renderState().fruitCol <= 4 ? 2 : 0
      do r = flee.step(away)
      while (!r.terminated)
      expect(r.reward).toBe(-1)
      expect(flee.isWon()).toBe(false)
    }
  })
})

describe('CatchEnv episode boundaries and determinism', () => {
  it('throws on step() after termination, and works again after reset()', () => {
    const env = new CatchEnv(1)
    env.reset()
    for (let t = 0; t < 9; t++) env.step(1)
    expect(() => env.step(1)).toThrow(/reset/)
    env.reset()
    expect(env.step(1).terminated).toBe(false)
  })

  it('same seed → identical observation and reward sequences; different seeds differ', () => {
    const play = (seed: number): string[] => {
      const env = new CatchEnv(seed)
      const acts = new Rng(7)
      const trace: string[] = []
      for (let ep = 0; ep < 30; ep++) {
        trace.push(Array.from(env.reset().obs).join(''))
        let r
        do {
          r = env.step(acts.int(0, 3))
          trace.push(`${Array.from(r.obs).join('')}|${r.reward}|${r.terminated}`)
        } while (!r.terminated)
      }
      return trace
    }
    expect(play(42)).toEqual(play(42))
    expect(play(42)).not.toEqual(play(43))
  })

  it('renderState() is a copy', () => {
    const env = new CatchEnv(2)
    env.reset()
    const s = env.renderState()
    s.basket = 99
    expect(env.renderState().basket).not.toBe(99)
  })
})

describe('CatchVecEnv', () => {
  it('rejects a non-positive or fractional number of copies', () => {
    expect(() => new CatchVecEnv(0)).toThrow()
    expect(() => new CatchVecEnv(2.5)).toThrow()
  })

  it('lays out obs as [numEnvs,10,10] with per-copy rewards/terminated arrays', () => {
    const vec = new CatchVecEnv(16)
    expect(vec.numEnvs).toBe(16)
    expect(vec.observationSpace.shape).toEqual([10, 10])
    expect(vec.actionSpace.n).toBe(3)
    expect(vec.obs.length).toBe(16 * 100)
    expect(vec.rewards.length).toBe(16)
    expect(vec.terminated.length).toBe(16)
    expect(vec.truncated.length).toBe(16)
    const obs = vec.reset(1)
    expect(obs).toBe(vec.obs)
    for (let i = 0; i < 16; i++) {
      const s = decodeStart(obs, i * CELLS)
      expect(s.fruitCol).toBeGreaterThanOrEqual(0)
      expect(s.fruitCol).toBeLessThanOrEqual(8)
      expect(s.basket).toBeGreaterThanOrEqual(1)
      expect(s.basket).toBeLessThanOrEqual(7)
      expectObs(obs, s, i * CELLS)
    }
  })

  it('copy i follows the Catch rules and auto-resets, cell by cell, like a single CatchEnv', () => {
    const n = 32
    const vec = new CatchVecEnv(n)
    vec.reset(2024)
    const states: CatchState[] = []
    const singles: CatchEnv[] = []
    for (let i = 0; i < n; i++) {
      states.push(decodeStart(vec.obs, i * CELLS))
      singles.push(envStartingAt(states[i].fruitCol, states[i].basket))
    }
    const rng = new Rng(5)
    const actions = new Int32Array(n)
    const starts = new Set<string>()
    let episodesEnded = 0
    for (let t = 1; t <= 9 * 6; t++) {
      for (let i = 0; i < n; i++) actions[i] = rng.int(0, 3)
      vec.step(actions)
      for (let i = 0; i < n; i++) {
        const next = refStep(states[i], actions[i])
        const single = singles[i].step(actions[i])
        const done = next.fruitRow === 9
        expect(vec.rewards[i]).toBe(refReward(next))
        expect(vec.rewards[i]).toBe(single.reward)
        expect(vec.terminated[i]).toBe(done ? 1 : 0)
        expect(single.terminated).toBe(done)
        expect(vec.truncated[i]).toBe(0)
        // Also against the exported pure rules.
        const out: CatchState = { fruitRow: 0, fruitCol: 0, basket: 0 }
        catchStep(states[i], actions[i], out)
        expect(out).toEqual(next)
        expect(catchReward(out)).toBe(vec.rewards[i])
        if (done) {
          // Auto-reset: the copy already shows a fresh start state.
          episodesEnded++
          const fresh = decodeStart(vec.obs, i * CELLS)
          expectObs(vec.obs, fresh, i * CELLS)
          starts.add(`${fresh.fruitCol},${fresh.basket}`)
          states[i] = fresh
          singles[i] = envStartingAt(fresh.fruitCol, fresh.basket)
        } else {
          expectObs(vec.obs, next, i * CELLS)
          expect(Array.from(vec.obs.subarray(i * CELLS, (i + 1) * CELLS))).toEqual(Array.from(single.obs))
          states[i] = next
        }
      }
    }
    expect(episodesEnded).toBe(n * 6)
    // Auto-reset draws new, varied start states.
    expect(starts.size).toBeGreaterThan(30)
  })

  it('is deterministic under a seed, and different seeds differ', () => {
    const run = (seed: number): number[] => {
      const vec = new CatchVecEnv(8)
      vec.reset(seed)
      const rng = new Rng(1)
      const acts = new Int32Array(8)
      const trace: number[] = []
      for (let t = 0; t < 40; t++) {
        for (let i = 0; i < 8; i++) acts[i] = rng.int(0, 3)
        vec.step(acts)
        trace.push(...vec.obs, ...vec.rewards, ...vec.terminated)
      }
      return trace
    }
    expect(run(3)).toEqual(run(3))
    expect(run(3)).not.toEqual(run(4))
  })

  it('reset(seed) clears finished and unfinished copies alike', () => {
    const vec = new CatchVecEnv(4)
    vec.reset(1)
    for (let t = 0; t < 5; t++) vec.step([0, 1, 2, 2])
    vec.reset(9)
    for (let i = 0; i < 4; i++) expectObs(vec.obs, decodeStart(vec.obs, i * CELLS), i * CELLS)
  })
})
