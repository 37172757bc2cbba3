import { describe, expect, it } from 'vitest'
import { boxAxis, boxStats, lastStepsRange, lastValuesByKey, parseLastN } from '../../src/renderer/src/lib/compare-box'

describe('boxStats: quartiles, Tukey whiskers and outliers', () => {
  it('matches numpy/pandas linear quartiles and puts values beyond 1.5 IQR outside the whiskers', () => {
    // numpy.percentile([1..9, 100], [25, 50, 75]) = 3.25, 5.5, 7.75; IQR 4.5 → fences −3.5 and 14.5.
    const b = boxStats([9, 1, 100, 2, 8, 3, 7, 4, 6, 5])!
    expect(b).toMatchObject({ n: 10, min: 1, max: 100, q1: 3.25, median: 5.5, q3: 7.75, whiskerLow: 1, whiskerHigh: 9, outliers: [100] })
    expect(b.mean).toBeCloseTo(14.5, 12)
  })

  it('finds low outliers too, and whiskers end at data points, not at the fences', () => {
    // quartiles of [−50, 10, 11, 12, 13, 14, 40]: 10.5, 12, 13.5; fences 6 and 18 → −50 and 40 are outliers.
    const b = boxStats([40, 12, -50, 10, 13, 11, 14])!
    expect([b.q1, b.median, b.q3]).toEqual([10.5, 12, 13.5])
    expect(b.outliers).toEqual([-50, 40])
    expect([b.whiskerLow, b.whiskerHigh]).toEqual([10, 14])
  })

  it('a single value is a flat box; non-finite values are ignored; nothing gives null', () => {
    expect(boxStats([7])).toMatchObject({ n: 1, q1: 7, median: 7, q3: 7, whiskerLow: 7, whiskerHigh: 7, outliers: [] })
    expect(boxStats([NaN, 3, Infinity, 5])).toMatchObject({ n: 2, median: 4, min: 3, max: 5 })
    expect(boxStats([])).toBeNull()
    expect(boxStats([NaN])).toBeNull()
  })

  it('an even count takes the mean of the middle pair as the median', () => {
    expect(boxStats([4, 1, 3, 2])!.median).toBe(2.5)
  })
})

describe('the last N episodes of a run', () => {
  it('asks for the steps of the last N episodes (episode k is step k)', () => {
    expect(lastStepsRange(250, 100)).toEqual({ fromStep: 151, toStep: 250 })
    expect(lastStepsRange(30, 100)).toEqual({ fromStep: 1, toStep: 30 })
    expect(lastStepsRange(0, 100)).toBeNull()
  })

  it('groups points by key in step order and keeps the last N of each', () => {
    const pts = [5, 3, 4, 1, 2].map((step) => ({ key: 'score', step, value: step * 10, time: 0 }))
    pts.push({ key: 'actions', step: 1, value: 7, time: 0 }, { key: 'other', step: 1, value: 1, time: 0 })
    const m = lastValuesByKey(pts, ['score', 'actions', 'missing'], 3)
    expect(m.get('score')).toEqual([30, 40, 50])
    expect(m.get('actions')).toEqual([7])
    expect(m.get('missing')).toEqual([])
    expect(m.has('other')).toBe(false)
  })

  it('N is a whole number from 1 to 100000; anything else is one line naming the problem', () => {
    expect(parseLastN(' 25 ')).toEqual({ n: 25 })
    for (const bad of ['', '0', '-3', '2.5', 'ten', '100001']) expect(parseLastN(bad, 'game')).toEqual({ error: 'N must be a whole number of games from 1 to 100000' })
  })
})

describe('boxAxis', () => {
  it('covers every box on round numbers with ticks inside', () => {
    const a = boxAxis([boxStats([3, 17, 42]), null, boxStats([120, 130])])!
    expect(a.lo).toBeLessThanOrEqual(3)
    expect(a.hi).toBeGreaterThanOrEqual(130)
    expect(a.ticks.length).toBeGreaterThanOrEqual(3)
    for (const t of a.ticks) expect(t >= a.lo && t <= a.hi).toBe(true)
    expect(a.ticks.every((t) => t % 10 === 0)).toBe(true)
  })

  it('gives a flat sample some room, and nothing when there are no boxes', () => {
    const a = boxAxis([boxStats([5, 5, 5])])!
    expect(a.lo).toBeLessThan(5)
    expect(a.hi).toBeGreaterThan(5)
    expect(boxAxis([null])).toBeNull()
  })
})
