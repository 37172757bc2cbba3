/** The labels users read: episodes numbered 1-based from their 0-based stored index; durations under a second. */
import { describe, expect, test } from 'vitest'
import { episodeNumber, fmtDuration, fmtEpisode } from '../../src/renderer/src/lib/format'

describe('episode numbers', () => {
  test('the last of 500 stored episodes (index 499) is shown as episode 500 of 500', () => {
    expect(episodeNumber(499)).toBe(500)
    expect(fmtEpisode(499, 500)).toBe('episode 500 of 500')
    expect(fmtEpisode(0)).toBe('episode 1')
  })
})

describe('durations', () => {
  test('a run over in under a second shows tenths, not "0s"; longer ones whole seconds and minutes', () => {
    expect(fmtDuration(420)).toBe('0.4s')
    expect(fmtDuration(3_260)).toBe('3.3s')
    expect(fmtDuration(42_000)).toBe('42s')
    expect(fmtDuration(125_000)).toBe('2m 05s')
  })
})
