/** The data browser's axis ticks (slice heatmap rows and columns) and the event colour bar's numbers. */
import { describe, expect, test } from 'vitest'
import { indexTicks, logBarTicks } from '../../src/renderer/src/lib/ticks'

describe('heatmap index ticks', () => {
  test('round indices inside the axis, placed at their cells’ centres', () => {
    const t = indexTicks(125)
    expect(t.map((x) => x.index)).toEqual([0, 20, 40, 60, 80, 100, 120])
    expect(t[0].at).toBeCloseTo(0.5 / 125)
    expect(t[6].at).toBeCloseTo(120.5 / 125)
  })
  test('a short axis gets every index; one cell, its centre; none, nothing', () => {
    expect(indexTicks(3).map((x) => x.index)).toEqual([0, 1, 2])
    expect(indexTicks(1)).toEqual([{ index: 0, at: 0.5 }])
    expect(indexTicks(0)).toEqual([])
  })
})

describe('log colour bar numbers', () => {
  test('the ends exactly and values evenly spaced in log between, low to high, where they sit on the bar', () => {
    const t = logBarTicks(0.001, 1000)
    expect(t.map((x) => x.value)).toEqual([0.001, 0.1, 10, 1000])
    expect(t.map((x) => x.at)).toEqual([0, 1 / 3, 2 / 3, 1].map((v) => expect.closeTo(v, 9)))
  })
  test('values between are rounded to two digits and placed where the rounded value belongs', () => {
    const t = logBarTicks(2, 8, 3)
    expect(t.map((x) => x.value)).toEqual([2, 4, 8])
    expect(t[1].at).toBeCloseTo(0.5, 9)
    const u = logBarTicks(0.0037, 241)
    expect(u[0].value).toBe(0.0037)
    expect(u[3].value).toBe(241)
    for (const x of u.slice(1, -1)) expect(String(x.value).replace(/^0\.0*|\./g, '').length).toBeLessThanOrEqual(2)
    for (let i = 1; i < u.length; i++) expect(u[i].at).toBeGreaterThan(u[i - 1].at)
  })
  test('no positive range, no numbers to invent', () => {
    expect(logBarTicks(0, 5)).toEqual([])
    expect(logBarTicks(3, 3)).toEqual([{ value: 3, at: 0 }])
  })
})
