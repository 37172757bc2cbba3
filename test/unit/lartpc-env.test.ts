/**
 * The LArTPC game's rules (src/core/lartpc/env.ts), on hand-made events whose
 * every window is worked out by hand here: reward terms, the margin, spawns,
 * the step count, trials, the canvas setting and determinism under a seed.
 */
import { describe, expect, it } from 'vitest'
import { LartpcEnv, DEFAULT_RULES, MOVES, OBS_SIZE, insideMargin, seedRewardTerms, spawnCells, heldoutCount, type LartpcRules } from '../../src/core/lartpc/env'
import { lartpcWorld } from '../../src/core/lartpc/world'
import { memoryEvents, type DetectorEvent } from '../../src/core/lartpc/event'
import { getWorld, makeEnv, algosFor } from '../../src/core/catalog'

const UP_LEFT = 0
const UP = 1
const RIGHT = 4
const DOWN = 6

/** A size×size event with the given (row, col, energy, label) pixels. */
function event(size: number, pixels: [number, number, number, number][]): DetectorEvent {
  const energy = new Float32Array(size * size)
  const label = new Uint8Array(size * size)
  for (const [r, c, e, l] of pixels) {
    energy[r * size + c] = e
    label[r * size + c] = l
  }
  return { width: size, height: size, energy, label }
}

function rules(over: Partial<LartpcRules> = {}): LartpcRules {
  return { ...DEFAULT_RULES, ...over }
}

/** An env over `events` whose held-out split leaves event 0 for training (two events: one each). */
function envOn(ev: DetectorEvent, over: Partial<LartpcRules> = {}): LartpcEnv {
  return new LartpcEnv(rules(over), memoryEvents([ev, ev]))
}

describe('LArTPC reward', () => {
  it('counts non-blank source pixels, 0.09 per undiscovered canvas pixel, −5 when all are painted, −15 on a blank centre', () => {
    const source = new Float32Array(25)
    const canvas = new Float32Array(75)
    // Empty canvas, blank centre, nothing seen: 0 + 0.09·25 − 15.
    let t = seedRewardTerms(source, canvas)
    expect(t).toMatchObject({ source: 0, painted: 0, blankCentre: -15, correct: 0 })
    expect(t.discovered).toBeCloseTo(0.09 * 25)
    expect(t.total).toBeCloseTo(2.25 - 15)
    // Three non-blank pixels, the centre among them; two canvas pixels painted shower/track, one painted blank.
    source[12] = 0.7
    source[0] = 3
    source[24] = 1e-3
    canvas[5 * 3 + 1] = 1 // pixel 5: EM shower
    canvas[6 * 3 + 2] = 1 // pixel 6: track
    canvas[7 * 3 + 0] = 1 // pixel 7: blank (argmax 0 is not "painted")
    t = seedRewardTerms(source, canvas)
    expect(t.source).toBe(3)
    expect(t.discovered).toBeCloseTo(0.09 * 23)
    expect(t.blankCentre).toBe(0)
    expect(t.total).toBeCloseTo(3 + 0.09 * 23)
    // Every canvas pixel painted non-blank: discovered 0 → −5.
    for (let i = 0; i < 25; i++) canvas.set([0, 0, 1], i * 3)
    t = seedRewardTerms(source, canvas)
    expect(t).toMatchObject({ source: 3, discovered: 0, painted: -5, blankCentre: 0, total: -2 })
  })

  it('a step writes the class at the centre first, then moves, and is rewarded on the window after the move', () => {
    // A 12×12 event with a horizontal track on row 5, cols 3..8; a shower pixel at (4, 6).
    const px: [number, number, number, number][] = [[4, 6, 2, 1]]
    for (let c = 3; c <= 8; c++) px.push([5, c, 1, 2])
    const ev = event(12, px)
    const env = envOn(ev, { trials: 1 })
    const { obs } = env.reset(3)
    const s = env.renderState()
    expect(['4,6', '5,3', '5,4', '5,5', '5,6', '5,7', '5,8']).toContain(`${s.row},${s.col}`)
    expect(obs.length).toBe(OBS_SIZE)
    // The source window of the observation is the event's 5×5 around the cursor.
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) expect(obs[(dr + 2) * 5 + dc + 2]).toBe(ev.energy[(s.row + dr) * 12 + s.col + dc])
    const r = env.step([UP, 2])
    // The written pixel is the old centre, with its true class.
    expect(r.info.written).toEqual({ row: s.row, col: s.col, cls: 2, trueClass: ev.label[s.row * 12 + s.col] })
    expect(r.info.label).toBe(ev.label[s.row * 12 + s.col])
    expect(env.canvasMap.slice((s.row * 12 + s.col) * 3, (s.row * 12 + s.col) * 3 + 3)).toEqual(new Float32Array([0, 0, 1]))
    expect(env.renderState()).toMatchObject({ row: s.row - 1, col: s.col, step: 1, written: { row: s.row, col: s.col, cls: 2 } })
    // Its reward is on the new window: recompute by hand.
    let nonzero = 0
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) if (ev.energy[(s.row - 1 + dr) * 12 + s.col + dc] > 0) nonzero++
    const centreBlank = ev.energy[(s.row - 1) * 12 + s.col] === 0
    // One canvas pixel (the written one, track) is painted and lies in the new window.
    expect(r.reward).toBeCloseTo(nonzero + 0.09 * 24 + (centreBlank ? -15 : 0))
    expect(r.info.terms!.total).toBeCloseTo(r.reward)
    // The observation's canvas window shows the written pixel one row below the centre.
    expect(Array.from(r.obs.subarray(25 + (3 * 5 + 2) * 3, 25 + (3 * 5 + 2) * 3 + 3))).toEqual([0, 0, 1])
  })

  it('categorisation adds class_reward × the true class weight for writing the true class, nothing for a wrong one', () => {
    const px: [number, number, number, number][] = []
    for (let r = 3; r <= 8; r++) for (let c = 3; c <= 8; c++) px.push([r, c, 1, 2])
    const ev = event(12, px)
    const seedEnv = envOn(ev, { trials: 1 })
    const catEnv = envOn(ev, { trials: 1, reward: 'categorisation', classReward: 2 })
    seedEnv.reset(5)
    catEnv.reset(5)
    const a = seedEnv.step([RIGHT, 2])
    const b = catEnv.step([RIGHT, 2])
    expect(b.info.terms!.correct).toBeCloseTo(2 * 6.79)
    expect(b.reward).toBeCloseTo(a.reward + 2 * 6.79)
    const c = seedEnv.step([RIGHT, 1])
    const d = catEnv.step([RIGHT, 1])
    expect(d.info.terms!.correct).toBe(0)
    expect(d.reward).toBeCloseTo(c.reward)
  })
})

describe('LArTPC margin, spawn and trials', () => {
  it('the margin is r_low = 2: a centre is inside when every coordinate is > 2 and < size − 2', () => {
    expect(insideMargin(3, 3, 10, 10)).toBe(true)
    expect(insideMargin(2, 5, 10, 10)).toBe(false)
    expect(insideMargin(5, 2, 10, 10)).toBe(false)
    expect(insideMargin(7, 7, 10, 10)).toBe(true)
    expect(insideMargin(8, 5, 10, 10)).toBe(false)
    expect(insideMargin(5, 8, 10, 10)).toBe(false)
  })

  it('spawns only on non-blank pixels inside the margin, uniformly (the seed kept the old centre when its one sample fell in the margin)', () => {
    // Non-blank pixels: two in the margin, three inside.
    const ev = event(10, [[1, 1, 5, 1], [8, 4, 5, 1], [3, 3, 1, 2], [5, 6, 1, 2], [7, 7, 1, 1]])
    expect(Array.from(spawnCells(ev))).toEqual([33, 56, 77])
    const env = envOn(ev, { trials: 1, maxSteps: 1 })
    const seen = new Map<string, number>()
    for (let seed = 0; seed < 600; seed++) {
      env.reset(seed)
      const s = env.renderState()
      const k = `${s.row},${s.col}`
      seen.set(k, (seen.get(k) ?? 0) + 1)
    }
    expect([...seen.keys()].sort()).toEqual(['3,3', '5,6', '7,7'])
    for (const n of seen.values()) expect(n).toBeGreaterThan(150)
  })

  it('a trial has exactly max_steps acting steps (the seed dropped the last one), then the next trial spawns; the episode ends after `trials`', () => {
    const px: [number, number, number, number][] = []
    for (let r = 3; r < 37; r++) for (let c = 3; c < 37; c++) px.push([r, c, 1, 1])
    const ev = event(40, px)
    const env = envOn(ev, { maxSteps: 3, trials: 4 })
    env.reset(1)
    let steps = 0
    const ends: number[] = []
    for (;;) {
      // Up then down then up: never near the margin on a 40×40 event of spawns ≥ 3 from its edge… except row 3, so move down first.
      const r = env.step([steps % 2 === 0 ? DOWN : UP, 1])
      steps++
      if (r.info.trialEnd) {
        expect(r.info.trialEndReason).toBe('max_steps')
        ends.push(steps)
      }
      if (r.terminated) break
      expect(r.truncated).toBe(false)
    }
    expect(ends).toEqual([3, 6, 9, 12])
    expect(() => env.step([UP, 0])).toThrow(/after the episode ended/)
  })

  it('a move that would leave the margin keeps the cursor and ends the trial (its write still counts)', () => {
    const ev = event(10, [[3, 3, 1, 2]])
    const env = envOn(ev, { maxSteps: 8, trials: 2 })
    env.reset(0)
    expect(env.renderState()).toMatchObject({ row: 3, col: 3, trial: 0 })
    const r = env.step([UP_LEFT, 2])
    expect(r.info).toMatchObject({ trialEnd: true, trialEndReason: 'margin', written: { row: 3, col: 3, cls: 2, trueClass: 2 } })
    expect(r.terminated).toBe(false)
    // Reward on the unchanged window: one non-blank pixel, the centre; the written pixel painted.
    expect(r.reward).toBeCloseTo(1 + 0.09 * 24)
    expect(env.renderState()).toMatchObject({ row: 3, col: 3, trial: 1, step: 0 })
  })

  it('canvas "keep" keeps the paint for all trials of a map; "fresh" clears it at each trial', () => {
    const ev = event(10, [[3, 3, 1, 2]])
    for (const canvas of ['keep', 'fresh'] as const) {
      const env = envOn(ev, { trials: 2, canvas })
      env.reset(0)
      const r = env.step([UP_LEFT, 2])
      expect(r.info.trialEnd).toBe(true)
      // The next trial's first observation: the same spawn; is (3,3) still painted track?
      const centre = 25 + 12 * 3
      expect(Array.from(r.obs.subarray(centre, centre + 3))).toEqual(canvas === 'keep' ? [0, 0, 1] : [0, 0, 0])
    }
  })

  it('says clearly when it has no events, and is constructible without them (settings checks)', () => {
    const env = makeEnv('lartpc', {})
    expect(env.actionSpace).toMatchObject({ kind: 'tuple', names: ['move', 'class'] })
    expect(() => env.reset(0)).toThrow(/no events to play/)
  })
})

describe('LArTPC episodes and held-out events', () => {
  const events = Array.from({ length: 10 }, (_, k) => {
    const px: [number, number, number, number][] = []
    for (let c = 3; c < 13; c++) px.push([3 + k, c, 1 + k, 2])
    return event(16, px)
  })
  const source = memoryEvents(events)

  it('holds out the last events (at least one) and trains only on the others; dataNeeds names the one event an episode reads', () => {
    expect(heldoutCount(10, 0.1)).toBe(1)
    expect(heldoutCount(10, 0.25)).toBe(3)
    expect(heldoutCount(3, 0.01)).toBe(1)
    const world = getWorld('lartpc-v1')
    const params = { ...Object.fromEntries(world.params.map((p) => [p.key, p.default])), heldout_fraction: 0.3 }
    const env = makeEnv('lartpc-v1', params, 0, { events: source })
    const used = new Set<number>()
    for (let seed = 0; seed < 200; seed++) {
      const event = env.reset(seed).info.event as number
      used.add(event)
      expect(world.dataNeeds!(params, seed, 10)).toEqual([event])
      expect((env.renderState() as { event: number }).event).toBe(event)
    }
    expect([...used].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('an episode is the same under the same seed and actions, a different one under another seed', () => {
    const play = (seed: number): string => {
      const env = makeEnv('lartpc', {}, 0, { events: source })
      env.reset(seed)
      const trace: unknown[] = []
      for (let k = 0; ; k++) {
        const r = env.step([k % MOVES.length, k % 3] as never)
        trace.push(r.reward, env.renderState())
        if (r.terminated) break
      }
      return JSON.stringify(trace)
    }
    expect(play(7)).toBe(play(7))
    expect(play(7)).not.toBe(play(8))
  })

  it('is registered with the two-headed DQN first and refused by DQN', () => {
    const world = getWorld('lartpc')
    expect(world).toBe(lartpcWorld)
    const ids = algosFor(world).map((a) => a.id)
    expect(ids[0]).toBe('two-head-dqn')
    expect(ids).not.toContain('dqn')
  })
})
