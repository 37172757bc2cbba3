/** The labels users read: episodes numbered 1-based from their 0-based stored index. */
import { describe, expect, test } from 'vitest'
import { episodeNumber, fmtEpisode } from '../../src/renderer/src/lib/format'

describe('episode numbers', () => {
  test('the last of 500 stored episodes (index 499) is shown as episode 500 of 500', () => {
    expect(episodeNumber(499)).toBe(500)
    expect(fmtEpisode(499, 500)).toBe('episode 500 of 500')
    expect(fmtEpisode(0)).toBe('episode 1')
  })
})
