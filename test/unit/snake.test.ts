/**
 * Snake's rules (qlearning4k's, see src/core/snake/env.ts), checked against a
 * reference written out independently here. Every scripted situation is played
 * through `Sim`, which steps the env and the reference side by side and compares
 * the observation cell by cell, the reward, the flags and the render state.
 */
import { describe, expect, it } from 'vitest'
import { SNAKE_ACTIONS, SNAKE_SIZE, SnakeEnv, SnakeVecEnv, type SnakeOptions, type SnakeState } from '../../src/core/snake/env'
import { Rng } from '../../src/core/rng'

const N = 10
const CELLS = N * N
type Cell = [number, number]
const LEFT = 0
const RIGHT = 1
const UP = 2
const DOWN = 3
const IDLE = 4
const DA = [-1, 1, 0, 0]
const DB = [0, 0, -1, 1]
const REV = [RIGHT, LEFT, DOWN, UP]

const same = (p: Cell, q: Cell): boolean => p[0] === q[0] && p[1] === q[1]
const onBorder = (c: Cell): boolean => c[0] <= 0 || c[0] >= N - 1 || c[1] <= 0 || c[1] >= N - 1
const key = (c: Cell): string => `${c[0]},${c[1]}`
const START_LEFT: Cell[] = [
  [3, 5],
  [4, 5],
  [5, 5],
]
const START_RIGHT: Cell[] = [...START_LEFT].reverse()
const INTERIOR: Cell[] = []
for (let a = 1; a <= 8; a++) for (let b = 1; b <= 8; b++) INTERIOR.push([a, b])

// ---------------------------------------------------------------- reference

interface Ref {
  body: Cell[]
  dir: number
  fruit: Cell | null
}

interface RefOutcome {
  body: Cell[]
  dir: number
  reward: number
  dead: boolean
  ate: boolean
}

/** One step of qlearning4k's Snake, as its header comment states the rules. */
function refStep(s: Ref, action: number): RefOutcome {
  const dir = action === IDLE || action === REV[s.dir] ? s.dir : action
  const head: Cell = [s.body[0][0] + DA[dir], s.body[0][1] + DB[dir]]
  if (s.fruit && same(head, s.fruit)) return { body: [head, ...s.body], dir, reward: s.body.length + 1, dead: false, ate: true }
  const body = [head, ...s.body.slice(0, -1)]
  const dead = onBorder(head) || body.slice(1).some((c) => same(c, head))
  return { body, dir, reward: dead ? -1 : 0, dead, ate: false }
}

/** The canvas: border and body 1, fruit 0.5, the rest 0 (obs[a·10 + b]). */
function draw(body: Cell[], fruit: Cell | null): Float32Array {
  const obs = new Float32Array(CELLS)
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) if (onBorder([a, b])) obs[a * N + b] = 1
  for (const [a, b] of body) obs[a * N + b] = 1
  if (fruit) obs[fruit[0] * N + fruit[1]] = 0.5
  return obs
}

function diffObs(got: ArrayLike<number>, want: Float32Array, offset = 0): string | null {
  for (let k = 0; k < CELLS; k++) {
    if (got[offset + k] !== want[k]) return `cell (${Math.floor(k / N)},${k % N}) is ${got[offset + k]}, expected ${want[k]}`
  }
  return null
}

function freeInterior(body: Cell[]): Cell[] {
  const taken = new Set(body.map(key))
  return INTERIOR.filter((c) => !taken.has(key(c)))
}

/** Heads toward the fruit (Manhattan distance) along moves that don't die at once. */
function greedy(s: Ref): number {
  let best = s.dir
  let bestDist = Infinity
  for (let a = 0; a < 4; a++) {
    if (a === REV[s.dir]) continue
    const h: Cell = [s.body[0][0] + DA[a], s.body[0][1] + DB[a]]
    if (onBorder(h) || s.body.slice(0, -1).some((c) => same(c, h))) continue
    const d = s.fruit ? Math.abs(h[0] - s.fruit[0]) + Math.abs(h[1] - s.fruit[1]) : 0
    if (d < bestDist) {
      bestDist = d
      best = a
    }
  }
  return best
}

/** The action that moves the head from `from` to the adjacent cell `to`. */
function moveTo(from: Cell, to: Cell): number {
  for (let a = 0; a < 4; a++) if (from[0] + DA[a] === to[0] && from[1] + DB[a] === to[1]) return a
  throw new Error(`${key(from)} and ${key(to)} are not adjacent`)
}

/**
 * A Hamiltonian cycle of the 8×8 interior whose order matches the start body:
 * column 1 as the way back, rows serpentine over columns 2–8 (mirrored for a
 * snake heading left). Following it never dies and eventually fills the board.
 */
function hamiltonian(dir: number): Map<string, Cell> {
  const order: Cell[] = []
  for (let b = 8; b >= 1; b--) order.push([1, b])
  for (let b = 1; b <= 8; b++) for (let k = 0; k < 7; k++) order.push([b % 2 === 1 ? 2 + k : 8 - k, b])
  const cells = dir === RIGHT ? order : order.map(([a, b]): Cell => [N - 1 - a, b])
  const next = new Map<string, Cell>()
  cells.forEach((c, i) => next.set(key(c), cells[(i + 1) % cells.length]))
  return next
}

// ---------------------------------------------------------------- Sim

interface Placement {
  fruit: Cell
  free: Cell[]
}

class RuleError extends Error {}

/** A SnakeEnv and the reference, stepped together and compared after every step. */
class Sim {
  readonly env: SnakeEnv
  ref: Ref
  steps = 0
  over = false
  readonly placements: Placement[] = []
  eats = 0

  constructor(
    readonly seed: number,
    readonly options: SnakeOptions = {},
  ) {
    this.env = new SnakeEnv(seed, options)
    const { obs } = this.env.reset()
    const s = this.env.renderState()
    const body = s.direction === LEFT ? START_LEFT : START_RIGHT
    this.check(s.direction === LEFT || s.direction === RIGHT, `start direction ${s.direction}`)
    this.check(s.length === 3 && !s.dead, 'start length/dead')
    this.check(JSON.stringify(s.body) === JSON.stringify(body), `start body ${JSON.stringify(s.body)}`)
    this.checkFruit(s.fruit, body)
    this.ref = { body, dir: s.direction, fruit: s.fruit }
    const bad = diffObs(obs, draw(body, s.fruit))
    this.check(bad === null, `start obs: ${bad}`)
  }

  private check(ok: boolean, what: string): void {
    if (!ok) throw new RuleError(`seed ${this.seed}, step ${this.steps}: ${what}`)
  }

  private checkFruit(fruit: Cell | null, body: Cell[]): void {
    const free = freeInterior(body)
    if (free.length === 0) return this.check(fruit === null, 'a full board has no fruit')
    this.check(fruit !== null, 'the fruit is missing')
    this.check(free.some((c) => same(c, fruit!)), `fruit ${key(fruit!)} is not a free interior cell`)
    this.placements.push({ fruit: fruit!, free })
  }

  get head(): Cell {
    return this.ref.body[0]
  }

  step(action: number): { reward: number; terminated: boolean; truncated: boolean; ate: boolean } {
    const want = refStep(this.ref, action)
    const r = this.env.step(action)
    this.steps++
    const s = this.env.renderState()
    let fruit = this.ref.fruit
    if (want.ate) {
      fruit = s.fruit
      this.checkFruit(fruit, want.body)
      this.eats++
    }
    const won = want.ate && want.body.length === 64
    const terminated = want.dead || won
    const truncated = !terminated && this.steps >= this.env.maxSteps
    this.check(r.reward === want.reward, `reward ${r.reward}, expected ${want.reward}`)
    this.check(r.terminated === terminated, `terminated ${r.terminated}, expected ${terminated}`)
    this.check(r.truncated === truncated, `truncated ${r.truncated}, expected ${truncated}`)
    this.check(JSON.stringify(s.body) === JSON.stringify(want.body), `body ${JSON.stringify(s.body)}, expected ${JSON.stringify(want.body)}`)
    this.check(s.direction === want.dir && s.length === want.body.length && s.dead === want.dead, 'direction/length/dead')
    if (!want.ate) this.check(JSON.stringify(s.fruit) === JSON.stringify(fruit), 'the fruit moved without being eaten')
    const bad = diffObs(r.obs, draw(want.body, fruit))
    this.check(bad === null, `obs: ${bad}`)
    this.check(this.env.isWon() === want.body.length > 3, 'isWon')
    this.check(this.env.episodeStats().length === want.body.length, 'episodeStats')
    this.ref = { body: want.body, dir: want.dir, fruit }
    this.over = terminated || truncated
    return { reward: r.reward, terminated: r.terminated, truncated: r.truncated, ate: want.ate }
  }

  /** Plays `policy` until the episode ends or `stop` says so. */
  run(policy: (s: Ref) => number, stop: (sim: Sim) => boolean = () => false): this {
    while (!this.over && !stop(this)) this.step(policy(this.ref))
    return this
  }
}

/** The first seed ≥ 0 whose start satisfies `pred` (searched, so tests say what they need, not magic numbers). */
function seedWhere(pred: (dir: number, fruit: Cell) => boolean, limit = 200_000): number {
  for (let seed = 0; seed < limit; seed++) {
    const env = new SnakeEnv(seed)
    env.reset()
    const s = env.renderState()
    if (pred(s.direction, s.fruit!)) return seed
  }
  throw new Error('no seed found')
}
const fruitNotIn = (cells: Cell[]) => (fruit: Cell) => !cells.some((c) => same(c, fruit))

// ---------------------------------------------------------------- tests

describe('SnakeEnv spaces', () => {
  it('declares a 10×10 box in [0,1], 5 actions left/right/up/down/idle, 200 steps by default', () => {
    const env = new SnakeEnv()
    expect(SNAKE_SIZE).toBe(10)
    expect(env.id).toBe('snake')
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [10, 10], low: 0, high: 1 })
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 5, labels: ['left', 'right', 'up', 'down', 'idle'] })
    expect([...SNAKE_ACTIONS]).toEqual(['left', 'right', 'up', 'down', 'idle'])
    expect(env.maxSteps).toBe(200)
    expect(new SnakeEnv(0, { maxSteps: 7 }).maxSteps).toBe(7)
    expect(env.reset().obs.length).toBe(100)
  })
})

describe('SnakeEnv start', () => {
  it('heading left: head (3,5), body (4,5),(5,5); heading right: head (5,5); obs exactly border 1, body 1, fruit 0.5, rest 0', () => {
    for (const dir of [LEFT, RIGHT]) {
      const seed = seedWhere((d) => d === dir)
      const env = new SnakeEnv(seed)
      const { obs } = env.reset()
      const s = env.renderState()
      expect(s.direction).toBe(dir)
      expect(s.body).toEqual(dir === LEFT ? START_LEFT : START_RIGHT)
      expect(s.length).toBe(3)
      expect(s.dead).toBe(false)
      const [fa, fb] = s.fruit!
      for (let a = 0; a < N; a++)
        for (let b = 0; b < N; b++) {
          const border = a === 0 || a === 9 || b === 0 || b === 9
          const body = a >= 3 && a <= 5 && b === 5
          const want = border || body ? 1 : a === fa && b === fb ? 0.5 : 0
          expect(obs[a * 10 + b], `cell (${a},${b})`).toBe(want)
        }
      expect(fa >= 1 && fa <= 8 && fb >= 1 && fb <= 8).toBe(true)
      expect(env.isWon()).toBe(false)
      expect(env.episodeStats()).toEqual({ length: 3 })
    }
  })

  it('over many seeds: both directions about equally often, the fruit always on a free interior cell', () => {
    let left = 0
    const seeds = 2000
    for (let seed = 0; seed < seeds; seed++) {
      const sim = new Sim(seed) // checks body, fruit and obs
      if (sim.ref.dir === LEFT) left++
    }
    expect(left / seeds).toBeGreaterThan(0.45)
    expect(left / seeds).toBeLessThan(0.55)
  })

  it('reset() without a seed continues the stream; reset(seed) restarts it; the constructor seed is the first reset’s', () => {
    const env = new SnakeEnv(5)
    const starts: string[] = []
    for (let k = 0; k < 40; k++) {
      env.reset()
      starts.push(JSON.stringify(env.renderState()))
    }
    expect(new Set(starts).size).toBeGreaterThan(20)
    const other = new SnakeEnv(99)
    other.reset(5)
    expect(JSON.stringify(other.renderState())).toBe(starts[0])
    other.reset()
    expect(JSON.stringify(other.renderState())).toBe(starts[1])
  })

  it('a reset clears the previous episode', () => {
    const sim = new Sim(seedWhere((d) => d === LEFT))
    sim.run(greedy)
    const { obs } = sim.env.reset()
    const s = sim.env.renderState()
    expect(s.length).toBe(3)
    expect(s.dead).toBe(false)
    expect(diffObs(obs, draw(s.body, s.fruit))).toBeNull()
    expect(sim.env.step(UP).terminated).toBe(false)
  })
})

describe('SnakeEnv moves', () => {
  // [start direction, action, new head, direction after]
  const table: [number, number, Cell, number][] = [
    [LEFT, LEFT, [2, 5], LEFT],
    [LEFT, RIGHT, [2, 5], LEFT], // reversing continues
    [LEFT, UP, [3, 4], UP],
    [LEFT, DOWN, [3, 6], DOWN],
    [LEFT, IDLE, [2, 5], LEFT],
    [RIGHT, LEFT, [6, 5], RIGHT], // reversing continues
    [RIGHT, RIGHT, [6, 5], RIGHT],
    [RIGHT, UP, [5, 4], UP],
    [RIGHT, DOWN, [5, 6], DOWN],
    [RIGHT, IDLE, [6, 5], RIGHT],
  ]
  for (const [dir, action, head, after] of table) {
    it(`heading ${SNAKE_ACTIONS[dir]}, ${SNAKE_ACTIONS[action]} moves the head to (${head}) heading ${SNAKE_ACTIONS[after]}`, () => {
      const sim = new Sim(seedWhere((d, f) => d === dir && !same(f, head)))
      const start = sim.ref.body
      const r = sim.step(action)
      expect(sim.head).toEqual(head)
      expect(sim.ref.body).toEqual([head, start[0], start[1]])
      expect(sim.env.renderState().direction).toBe(after)
      expect(r).toEqual({ reward: 0, terminated: false, truncated: false, ate: false })
    })
  }

  it('idle keeps going in the current direction (after a turn, too)', () => {
    const path: Cell[] = [
      [3, 4],
      [3, 3],
      [3, 2],
    ]
    const sim = new Sim(seedWhere((d, f) => d === LEFT && fruitNotIn(path)(f)))
    sim.step(UP)
    sim.step(IDLE)
    sim.step(IDLE)
    expect(sim.ref.body).toEqual([[3, 2], [3, 3], [3, 4]])
    expect(sim.env.renderState().direction).toBe(UP)
  })

  it('a reversing move continues the previous direction, in all four directions', () => {
    // [start direction, turn, reverse of the turn, cells visited]
    const cases: [number, number, Cell[]][] = [
      [LEFT, UP, [[3, 4], [3, 3]]],
      [LEFT, DOWN, [[3, 6], [3, 7]]],
      [LEFT, LEFT, [[2, 5], [1, 5]]],
      [RIGHT, RIGHT, [[6, 5], [7, 5]]],
    ]
    for (const [dir, turn, path] of cases) {
      const sim = new Sim(seedWhere((d, f) => d === dir && fruitNotIn(path)(f)))
      sim.step(turn)
      const r = sim.step(REV[turn])
      expect(sim.head).toEqual(path[1])
      expect(sim.env.renderState().direction).toBe(turn)
      expect(r.terminated).toBe(false)
    }
  })
})

describe('SnakeEnv eating', () => {
  it('a fruit straight ahead: reward 4 = the new length, the tail cell is kept, a new fruit appears', () => {
    const sim = new Sim(seedWhere((d, f) => d === LEFT && same(f, [2, 5])))
    expect(sim.env.isWon()).toBe(false)
    const r = sim.step(IDLE)
    expect(r).toEqual({ reward: 4, terminated: false, truncated: false, ate: true })
    expect(sim.ref.body).toEqual([[2, 5], [3, 5], [4, 5], [5, 5]])
    expect(sim.env.renderState().length).toBe(4)
    expect(sim.env.isWon()).toBe(true)
    expect(sim.env.episodeStats()).toEqual({ length: 4 })
    // The new fruit is on a free interior cell (Sim checked) and differs from the eaten one.
    expect(sim.ref.fruit).not.toEqual([2, 5])
    // The next move (away from the new fruit) drops the tail again: the length stays 4.
    const turn = same(sim.ref.fruit!, [2, 4]) ? DOWN : UP
    expect(sim.step(turn).reward).toBe(0)
    expect(sim.ref.body).toEqual([[2, turn === UP ? 4 : 6], [2, 5], [3, 5], [4, 5]])
  })

  it('every eat over many greedy games: reward = new length, body = [fruit, …old body], new fruit free and interior', () => {
    let eats = 0
    let longest = 0
    for (let seed = 0; seed < 60; seed++) {
      const sim = new Sim(seed, { maxSteps: 1000 })
      while (!sim.over) {
        const before = sim.ref
        const r = sim.step(greedy(sim.ref))
        if (r.ate) {
          eats++
          expect(r.reward).toBe(before.body.length + 1)
          expect(sim.ref.body).toEqual([before.fruit, ...before.body])
          expect(sim.ref.body.at(-1)).toEqual(before.body.at(-1))
        }
      }
      longest = Math.max(longest, sim.ref.body.length)
    }
    expect(eats).toBeGreaterThan(300)
    expect(longest).toBeGreaterThanOrEqual(12)
  })

  it('following a Hamiltonian cycle fills the board: the 61st fruit gives reward 64, the game ends won, no fruit left', () => {
    for (const dir of [LEFT, RIGHT]) {
      const sim = new Sim(seedWhere((d) => d === dir), { maxSteps: 10_000 })
      const next = hamiltonian(dir)
      let last = { reward: 0, terminated: false, truncated: false, ate: false }
      while (!sim.over) last = sim.step(moveTo(sim.head, next.get(key(sim.head))!))
      expect(last).toEqual({ reward: 64, terminated: true, truncated: false, ate: true })
      expect(sim.eats).toBe(61)
      const s = sim.env.renderState()
      expect(s.length).toBe(64)
      expect(s.fruit).toBeNull()
      expect(s.dead).toBe(false)
      expect(sim.env.isWon()).toBe(true)
      expect(sim.env.episodeStats()).toEqual({ length: 64 })
      expect(Array.from(sim.env.reset().obs).some((v) => v === 0)).toBe(true)
      expect(() => sim.env.step(IDLE)).not.toThrow()
    }
  })
})

describe('SnakeEnv death', () => {
  // [start direction, first action, steps until the border]
  const walls: [string, number, number, number][] = [
    ['left', LEFT, IDLE, 3],
    ['right', RIGHT, IDLE, 4],
    ['top', LEFT, UP, 5],
    ['bottom', LEFT, DOWN, 4],
  ]
  for (const [wall, dir, action, steps] of walls) {
    it(`running into the ${wall} border: −1, terminated, not truncated, then step() throws`, () => {
      const a0 = dir === LEFT ? 3 : 5
      const path: Cell[] = Array.from({ length: steps }, (_, k) =>
        action === IDLE ? [a0 + (k + 1) * DA[dir], 5] : [a0, 5 + (k + 1) * DB[action]],
      )
      expect(onBorder(path.at(-1)!)).toBe(true)
      const sim = new Sim(seedWhere((d, f) => d === dir && fruitNotIn(path)(f)))
      for (let k = 0; k < steps; k++) {
        const r = sim.step(action)
        expect(sim.head).toEqual(path[k])
        expect(r).toEqual(k < steps - 1 ? { reward: 0, terminated: false, truncated: false, ate: false } : { reward: -1, terminated: true, truncated: false, ate: false })
      }
      expect(sim.env.renderState().dead).toBe(true)
      expect(sim.env.isWon()).toBe(false)
      expect(() => sim.env.step(IDLE)).toThrow(/reset/)
    })
  }

  /**
   * Greedy play from some seed until the snake has `length`, then the turn
   * [perpendicular, back, back-perpendicular], which steers the head into the
   * cell right behind where it was. Returns the seed and the full action list.
   */
  function uTurn(length: number): { seed: number; actions: number[] } {
    for (let seed = 0; seed < 5000; seed++) {
      const sim = new Sim(seed, { maxSteps: 1000 })
      const actions: number[] = []
      while (!sim.over && sim.ref.body.length < length) {
        const a = greedy(sim.ref)
        actions.push(a)
        sim.step(a)
      }
      if (sim.over || sim.ref.body.length !== length) continue
      const d = sim.ref.dir
      for (const p of d <= RIGHT ? [UP, DOWN] : [LEFT, RIGHT]) {
        const turn = [p, REV[d], REV[p]]
        let s: Ref = sim.ref
        let ok = true
        for (let k = 0; k < 2 && ok; k++) {
          const o = refStep(s, turn[k])
          ok = !o.dead && !o.ate
          s = { body: o.body, dir: o.dir, fruit: s.fruit }
        }
        if (ok) return { seed, actions: [...actions, ...turn] }
      }
    }
    throw new Error(`no U-turn found at length ${length}`)
  }

  it('biting itself (length 5, a tight U-turn into its own neck): −1, terminated, head inside the board', () => {
    const { seed, actions } = uTurn(5)
    const sim = new Sim(seed, { maxSteps: 1000 })
    for (const a of actions.slice(0, -1)) expect(sim.step(a).terminated).toBe(false)
    const before = sim.ref.body
    const r = sim.step(actions.at(-1)!)
    expect(r).toEqual({ reward: -1, terminated: true, truncated: false, ate: false })
    expect(onBorder(sim.head)).toBe(false)
    // The head went into a segment that was not the tail.
    const hit = before.findIndex((c) => same(c, sim.head))
    expect(hit).toBeGreaterThan(0)
    expect(hit).toBeLessThan(before.length - 1)
    expect(sim.env.renderState().dead).toBe(true)
    expect(sim.env.isWon()).toBe(true) // it did grow first
    expect(() => sim.env.step(IDLE)).toThrow(/reset/)
  })

  it('following its own tail is not a bite (length 4 circling a 2×2 square)', () => {
    const { seed, actions } = uTurn(4)
    const sim = new Sim(seed, { maxSteps: 1000 })
    for (const a of actions.slice(0, -1)) sim.step(a)
    const tail = sim.ref.body.at(-1)!
    const r = sim.step(actions.at(-1)!)
    expect(sim.head).toEqual(tail)
    expect(r.terminated).toBe(false)
    expect(r.reward).toBe(0)
    // Keep circling the square: forward, p, back, back-p, … (until the fruit happens to lie in it).
    const [p, back, pBack] = actions.slice(-3)
    const loop = [REV[back], p, back, pBack]
    for (let k = 0; k < 12; k++) {
      const step = sim.step(loop[k % 4])
      if (step.ate) break
      expect(step.terminated).toBe(false)
    }
  })
})

describe('SnakeEnv truncation and errors', () => {
  const square: Cell[] = [
    [3, 4],
    [4, 4],
  ]
  const circle = [UP, RIGHT, DOWN, LEFT] // from a left-heading start: a 2×2 square, forever

  it('truncates at maxSteps (default 200): truncated true, terminated false, then step() throws', () => {
    const sim = new Sim(seedWhere((d, f) => d === LEFT && fruitNotIn(square)(f)))
    for (let t = 1; t <= 200; t++) {
      const r = sim.step(circle[(t - 1) % 4])
      expect(r).toEqual({ reward: 0, terminated: false, truncated: t === 200, ate: false })
    }
    expect(() => sim.env.step(IDLE)).toThrow(/reset/)
    sim.env.reset()
    expect(sim.env.step(UP).truncated).toBe(false)
  })

  it('a custom maxSteps truncates there; a death on the last step is terminated, not truncated', () => {
    const seed = seedWhere((d, f) => d === LEFT && fruitNotIn([[2, 5], [1, 5], ...square])(f))
    const two = new Sim(seed, { maxSteps: 2 })
    expect(two.step(UP).truncated).toBe(false)
    expect(two.step(RIGHT)).toEqual({ reward: 0, terminated: false, truncated: true, ate: false })
    const three = new Sim(seed, { maxSteps: 3 })
    three.step(IDLE)
    three.step(IDLE)
    expect(three.step(IDLE)).toEqual({ reward: -1, terminated: true, truncated: false, ate: false })
  })

  it('rejects invalid actions without changing the game', () => {
    const sim = new Sim(seedWhere((d, f) => d === LEFT && fruitNotIn([[3, 4]])(f)))
    for (const bad of [-1, 5, 1.5, NaN, Infinity]) expect(() => sim.env.step(bad)).toThrow(/invalid action/)
    expect(sim.env.renderState().body).toEqual(START_LEFT)
    sim.step(UP) // Sim checks the env still matches the reference
    expect(sim.head).toEqual([3, 4])
  })
})

describe('SnakeEnv fruit placement', () => {
  it('the first fruit is uniform over the 61 free interior cells (χ² over 12 200 seeds)', () => {
    const free = freeInterior(START_LEFT)
    expect(free.length).toBe(61)
    const counts = new Map(free.map((c) => [key(c), 0]))
    const perCell = 200
    const n = free.length * perCell
    for (let seed = 0; seed < n; seed++) {
      const env = new SnakeEnv(seed)
      env.reset()
      const k = key(env.renderState().fruit!)
      expect(counts.has(k)).toBe(true)
      counts.set(k, counts.get(k)! + 1)
    }
    let chi2 = 0
    for (const c of counts.values()) chi2 += (c - perCell) ** 2 / perCell
    // 60 degrees of freedom: mean 60, P(χ² > 99.6) = 0.001.
    expect(chi2).toBeLessThan(99.6)
    expect(Math.min(...counts.values())).toBeGreaterThan(perCell * 0.6)
  })

  it('every later fruit is uniform over the free interior cells too, down to the last few (randomised PIT, χ²)', () => {
    // Placements from greedy games and from board-filling Hamiltonian games (few free cells).
    const placements: Placement[] = []
    for (let seed = 0; seed < 40; seed++) placements.push(...new Sim(seed, { maxSteps: 1000 }).run(greedy).placements.slice(1))
    for (let seed = 0; seed < 16; seed++) {
      const sim = new Sim(seed, { maxSteps: 10_000 })
      const next = hamiltonian(sim.ref.dir)
      sim.run((s) => moveTo(s.body[0], next.get(key(s.body[0]))!))
      placements.push(...sim.placements.slice(1))
    }
    const crowded = placements.filter((p) => p.free.length <= 4)
    expect(crowded.length).toBeGreaterThanOrEqual(16 * 4)
    // The fruit's rank among the free cells, jittered, is uniform on [0, 1) iff placement is uniform.
    const jitter = new Rng(1234)
    const bins = new Array(10).fill(0)
    for (const p of placements) {
      const rank = p.free.findIndex((c) => same(c, p.fruit))
      expect(rank).toBeGreaterThanOrEqual(0)
      bins[Math.floor(((rank + jitter.random()) / p.free.length) * 10)]++
    }
    const expected = placements.length / 10
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
    expect(placements.length).toBeGreaterThan(1500)
    // 9 degrees of freedom: P(χ² > 27.9) = 0.001.
    expect(chi2).toBeLessThan(27.9)
    // With only 1–4 cells left, each of them still gets chosen.
    const lastCell = crowded.filter((p) => p.free.length === 1)
    expect(lastCell.length).toBe(16)
    const twoLeft = crowded.filter((p) => p.free.length === 2)
    const firstOfTwo = twoLeft.filter((p) => same(p.fruit, p.free[0])).length
    expect(firstOfTwo).toBeGreaterThan(0)
    expect(firstOfTwo).toBeLessThan(twoLeft.length)
  })
})

describe('SnakeEnv fruit placement on a crowded board', () => {
  it('with 2 or 3 free cells left (where random probing often fails) each is still equally likely (2000 filled boards)', () => {
    // Board-filling games, fast: the head's path is known, so only eats read the state.
    const nextOf = [LEFT, RIGHT].map((dir) => {
      const next = new Int32Array(CELLS).fill(-1)
      for (const [k, c] of hamiltonian(dir)) {
        const [a, b] = k.split(',').map(Number)
        next[a * N + b] = c[0] * N + c[1]
      }
      return next
    })
    const actionFor = (from: number, to: number): number => moveTo([Math.floor(from / N), from % N], [Math.floor(to / N), to % N])
    // [k free cells] → how often the fruit took the lowest- and the highest-numbered free cell
    const ends = new Map<number, { n: number; first: number; last: number }>([
      [2, { n: 0, first: 0, last: 0 }],
      [3, { n: 0, first: 0, last: 0 }],
    ])
    const games = 2000
    for (let seed = 0; seed < games; seed++) {
      const env = new SnakeEnv(seed, { maxSteps: 10_000 })
      env.reset()
      const next = nextOf[env.renderState().direction]
      let head = env.renderState().body[0][0] * N + 5
      for (;;) {
        const to = next[head]
        const r = env.step(actionFor(head, to))
        head = to
        if (r.terminated) break
        if (r.reward > 0) {
          const s = env.renderState()
          const free = freeInterior(s.body)
          const e = ends.get(free.length)
          if (!e) continue
          e.n++
          if (same(s.fruit!, free[0])) e.first++
          if (same(s.fruit!, free.at(-1)!)) e.last++
        }
      }
      expect(env.isWon()).toBe(true)
      expect(env.episodeStats().length).toBe(64)
    }
    // z-scores of the end cells' counts against 1/k, summed over k = 2, 3.
    let mean = 0
    let variance = 0
    let first = 0
    let last = 0
    for (const [k, e] of ends) {
      expect(e.n).toBe(games)
      mean += e.n / k
      variance += (e.n * (k - 1)) / k ** 2
      first += e.first
      last += e.last
    }
    expect(Math.abs(first - mean) / Math.sqrt(variance)).toBeLessThan(3.3)
    expect(Math.abs(last - mean) / Math.sqrt(variance)).toBeLessThan(3.3)
  })
})

describe('SnakeEnv determinism', () => {
  const trace = (seed: number): string[] => {
    const env = new SnakeEnv(seed, { maxSteps: 50 })
    const acts = new Rng(7)
    const out: string[] = []
    for (let ep = 0; ep < 30; ep++) {
      out.push(Array.from(env.reset().obs).join(''))
      let r
      do {
        r = env.step(acts.int(0, 5))
        out.push(`${Array.from(r.obs).join('')}|${r.reward}|${r.terminated}|${r.truncated}`)
      } while (!r.terminated && !r.truncated)
    }
    return out
  }
  it('same seed → identical observations, rewards and flags; another seed differs', () => {
    expect(trace(42)).toEqual(trace(42))
    expect(trace(42)).not.toEqual(trace(43))
  })

  it('random play from many seeds always matches the reference rules', () => {
    const acts = new Rng(3)
    let deaths = 0
    let truncations = 0
    for (let seed = 0; seed < 300; seed++) {
      const sim = new Sim(seed, { maxSteps: 40 })
      // Half greedy, half random: long games, eats, bites and walls.
      sim.run((s) => (acts.random() < 0.5 ? greedy(s) : acts.int(0, 5)))
      if (sim.env.renderState().dead) deaths++
      else truncations++
    }
    expect(deaths).toBeGreaterThan(50)
    expect(truncations).toBeGreaterThan(10)
  })
})

describe('SnakeVecEnv', () => {
  it('rejects a non-positive or fractional number of copies; lays out [numEnvs, 10, 10]', () => {
    expect(() => new SnakeVecEnv(0)).toThrow()
    expect(() => new SnakeVecEnv(1.5)).toThrow()
    const vec = new SnakeVecEnv(8)
    expect(vec.numEnvs).toBe(8)
    expect(vec.maxSteps).toBe(200)
    expect(vec.observationSpace.shape).toEqual([10, 10])
    expect(vec.actionSpace.n).toBe(5)
    expect(vec.obs.length).toBe(800)
    expect([vec.rewards.length, vec.terminated.length, vec.truncated.length]).toEqual([8, 8, 8])
    expect(vec.reset(1)).toBe(vec.obs)
  })

  it('one copy is exactly a SnakeEnv with the same seed that resets when an episode ends', () => {
    const maxSteps = 30
    const vec = new SnakeVecEnv(1, maxSteps)
    const env = new SnakeEnv(77, { maxSteps })
    expect(Array.from(vec.reset(77))).toEqual(Array.from(env.reset().obs))
    const acts = new Rng(9)
    let ends = 0
    for (let t = 0; t < 3000; t++) {
      const a = acts.int(0, 5)
      vec.step([a])
      const r = env.step(a)
      expect(vec.rewards[0]).toBe(r.reward)
      expect(vec.terminated[0]).toBe(r.terminated ? 1 : 0)
      expect(vec.truncated[0]).toBe(r.truncated ? 1 : 0)
      const obs = r.terminated || r.truncated ? (ends++, env.reset().obs) : r.obs
      expect(diffObs(vec.obs, obs as Float32Array)).toBeNull()
    }
    expect(ends).toBeGreaterThan(100)
  })

  it('every copy follows the rules and auto-resets to a fresh start (reference tracking, 16 copies)', () => {
    const n = 16
    const maxSteps = 25
    const vec = new SnakeVecEnv(n, maxSteps)
    vec.reset(2024)
    /** The start states an observation slice can be: the direction is not visible yet. */
    const fresh = (i: number): Ref[] => {
      let fruit: Cell | null = null
      for (let k = 0; k < CELLS; k++) if (vec.obs[i * CELLS + k] === 0.5) fruit = [Math.floor(k / N), k % N]
      expect(fruit).not.toBeNull()
      expect(diffObs(vec.obs, draw(START_LEFT, fruit), i * CELLS)).toBeNull()
      return [
        { body: START_LEFT, dir: LEFT, fruit },
        { body: START_RIGHT, dir: RIGHT, fruit },
      ]
    }
    let candidates = Array.from({ length: n }, (_, i) => fresh(i))
    const steps = new Int32Array(n)
    const acts = new Rng(11)
    const actions = new Int32Array(n)
    const count = { eats: 0, deaths: 0, truncations: 0, resets: 0 }
    for (let t = 0; t < 600; t++) {
      for (let i = 0; i < n; i++) actions[i] = acts.random() < 0.6 ? greedy(candidates[i][0]) : acts.int(0, 5)
      vec.step(actions)
      for (let i = 0; i < n; i++) {
        steps[i]++
        const ended = vec.terminated[i] === 1 || vec.truncated[i] === 1
        const next: Ref[] = []
        for (const c of candidates[i]) {
          const o = refStep(c, actions[i])
          const truncated = !o.dead && steps[i] >= maxSteps
          if (vec.rewards[i] !== o.reward || vec.terminated[i] !== (o.dead ? 1 : 0) || vec.truncated[i] !== (truncated ? 1 : 0)) continue
          let fruit = c.fruit
          if (o.ate && !ended) {
            fruit = null
            for (let k = 0; k < CELLS; k++) if (vec.obs[i * CELLS + k] === 0.5) fruit = [Math.floor(k / N), k % N]
            if (!fruit || !freeInterior(o.body).some((f) => same(f, fruit!))) continue
          }
          if (!ended && diffObs(vec.obs, draw(o.body, fruit), i * CELLS) !== null) continue
          next.push({ body: o.body, dir: o.dir, fruit })
          if (o.ate) count.eats++
        }
        expect(next.length, `copy ${i} at step ${t}: no reference state explains the vector env`).toBeGreaterThan(0)
        if (!ended) expect(next.length).toBe(1) // one step reveals the direction
        if (ended) {
          if (vec.terminated[i]) count.deaths++
          else count.truncations++
          count.resets++
          steps[i] = 0
          candidates[i] = fresh(i)
        } else candidates[i] = next
      }
    }
    expect(count.eats).toBeGreaterThan(30)
    expect(count.deaths).toBeGreaterThan(30)
    expect(count.truncations).toBeGreaterThan(10)
  })

  it('is deterministic under a seed; different seeds differ', () => {
    const run = (seed: number): number[] => {
      const vec = new SnakeVecEnv(6, 40)
      vec.reset(seed)
      const acts = new Rng(1)
      const a = new Int32Array(6)
      const out: number[] = []
      for (let t = 0; t < 100; t++) {
        for (let i = 0; i < 6; i++) a[i] = acts.int(0, 5)
        vec.step(a)
        out.push(...vec.obs, ...vec.rewards, ...vec.terminated, ...vec.truncated)
      }
      return out
    }
    expect(run(3)).toEqual(run(3))
    expect(run(3)).not.toEqual(run(4))
  })
})

describe('the shaped reward (snake-v2)', () => {
  const dist = (s: SnakeState): number => Math.abs(s.body[0][0] - s.fruit![0]) + Math.abs(s.body[0][1] - s.fruit![1])

  it("adds +0.1 for a move toward the fruit and −0.2 for one away; eating and dying pay the seed's reward", () => {
    const shaped = new SnakeEnv(3, { reward: 'shaped', maxSteps: 10_000 })
    const plain = new SnakeEnv(3, { maxSteps: 10_000 })
    shaped.reset(3)
    plain.reset(3)
    const acts = new Rng(4)
    const seen = { toward: 0, away: 0, eat: 0, death: 0 }
    for (let games = 0; games < 40; ) {
      const before = shaped.renderState()
      const a = acts.int(0, 5)
      const r = shaped.step(a)
      const p = plain.step(a)
      const after = shaped.renderState()
      if (p.reward !== 0) {
        expect(r.reward).toBe(p.reward) // the new length, or −1
        if (p.reward > 0) seen.eat++
        else seen.death++
      } else {
        const closer = dist(before) - dist(after)
        expect(Math.abs(closer)).toBe(1)
        expect(r.reward).toBeCloseTo(closer > 0 ? 0.1 : -0.2, 12)
        if (closer > 0) seen.toward++
        else seen.away++
      }
      expect(r.terminated).toBe(p.terminated)
      if (r.terminated || r.truncated) {
        games++
        shaped.reset(games)
        plain.reset(games)
      }
    }
    expect(Math.min(seen.toward, seen.away, seen.eat, seen.death)).toBeGreaterThan(0)
  })

  it('the vector env pays the same shaped rewards as one env; an unknown reward is refused by name', () => {
    const vec = new SnakeVecEnv(1, 30, 'shaped')
    const env = new SnakeEnv(77, { maxSteps: 30, reward: 'shaped' })
    vec.reset(77)
    env.reset()
    const acts = new Rng(9)
    for (let t = 0; t < 500; t++) {
      const a = acts.int(0, 5)
      vec.step([a])
      const r = env.step(a)
      expect(vec.rewards[0]).toBeCloseTo(r.reward, 6)
      if (r.terminated || r.truncated) env.reset()
    }
    expect(() => new SnakeEnv(0, { reward: 'dense' as never })).toThrow(/reward must be one of qlearning4k, shaped, got "dense"/)
  })
})
