/** The synthetic LArTPC event generator (pure core code). */
import { describe, expect, it } from 'vitest'
import { classCounts } from '../../src/core/lartpc/event'
import { generateEvent, generateEvents, THRESHOLD_MEV } from '../../src/core/lartpc/generate'
import { deriveSeed } from '../../src/core/rng'

const events = generateEvents(60, 2024)

describe('generateEvent', () => {
  it('is deterministic per seed, and different seeds give different events', () => {
    const a = generateEvent(99)
    const b = generateEvent(99)
    expect(Buffer.from(a.energy.buffer).equals(Buffer.from(b.energy.buffer))).toBe(true)
    expect(Buffer.from(a.label.buffer).equals(Buffer.from(b.label.buffer))).toBe(true)
    const c = generateEvent(100)
    expect(Buffer.from(a.energy.buffer).equals(Buffer.from(c.energy.buffer))).toBe(false)
  })

  it('event i of generateEvents is generateEvent(deriveSeed(seed, i))', () => {
    const one = generateEvent(deriveSeed(2024, 17))
    expect(Array.from(one.energy)).toEqual(Array.from(events[17].energy))
  })

  it('has the requested square size (256 by default)', () => {
    expect(events[0]).toMatchObject({ width: 256, height: 256 })
    expect(events[0].energy.length).toBe(256 * 256)
    const small = generateEvent(5, { size: 64 })
    expect(small).toMatchObject({ width: 64, height: 64 })
    expect(small.label.length).toBe(64 * 64)
    expect(() => generateEvent(5, { size: 8 })).toThrow(/16…4096/)
  })

  it('has finite energies ≥ 0, zero or above threshold; labels only on hit pixels; few noise hits', () => {
    for (const ev of events) {
      let noiseHits = 0
      for (let i = 0; i < ev.energy.length; i++) {
        const e = ev.energy[i]
        if (!Number.isFinite(e)) throw new Error(`energy ${e} at pixel ${i}`)
        if (e === 0) {
          if (ev.label[i] !== 0) throw new Error(`label ${ev.label[i]} on an empty pixel`)
          continue
        }
        if (e < THRESHOLD_MEV) throw new Error(`energy ${e} below threshold`)
        if (ev.label[i] === 0) noiseHits++
        if (ev.label[i] > 2) throw new Error(`label ${ev.label[i]}`)
      }
      // Noise alone above threshold is rare: a few isolated pixels, labelled blank.
      expect(noiseHits).toBeLessThan(20)
    }
  })

  it('has both tracks and showers in most events, and showers have more pixels than tracks overall', () => {
    const counts = events.map(classCounts)
    const both = counts.filter((c) => c[1] > 0 && c[2] > 0).length
    expect(both / events.length).toBeGreaterThan(0.8)
    const shower = counts.reduce((s, c) => s + c[1], 0)
    const track = counts.reduce((s, c) => s + c[2], 0)
    expect(shower).toBeGreaterThan(track)
    // Events are sparse, as in a TPC: a few hundred to a few thousand hit pixels of 65536.
    for (const c of counts) expect(c[1] + c[2]).toBeGreaterThan(20)
  })

  it('gives track pixels a high-energy tail (Bragg peaks at stopping ends, Landau fluctuations)', () => {
    // The top 2 % of a track's pixels are several times its median (a flat dE/dx would give ~1.3).
    let ratioSum = 0
    let n = 0
    for (const ev of events) {
      const t: number[] = []
      for (let i = 0; i < ev.energy.length; i++) if (ev.label[i] === 2) t.push(ev.energy[i])
      if (t.length < 100) continue
      t.sort((a, b) => a - b)
      ratioSum += t[Math.floor(t.length * 0.98)] / t[Math.floor(t.length / 2)]
      n++
    }
    expect(ratioSum / n).toBeGreaterThan(2)
  })
})
