/**
 * The renderer's Pixel Racer helpers (src/renderer/src/lib/racer.ts, racer-paint.ts,
 * episode.ts): policy arrows / greedy route from a policy, the editor's messages,
 * the viridis map, and replays re-simulated on the run's own track.
 */
import { describe, expect, test } from 'vitest'
import { shortestPath, trackFromAscii, trackToJSON, validateTrack } from '../../src/core/racer/track'
import type { Policy } from '../../src/shared/api'
import { simulateEpisode } from '../../src/renderer/src/lib/episode'
import { friendlyProblem, greedyAction, greedyRoute, isRacerWorld, maxQRange, unreachableGoals } from '../../src/renderer/src/worlds/racer/racer'
import { viridis } from '../../src/renderer/src/worlds/racer/paint'

const track = trackFromAscii(['S..#', '.#..', '...G'], 'tiny')

/** A policy whose q row for each cell prefers `best[cell]` (−1: all equal). */
function policyOf(best: number[]): Policy {
  const q: (number | null)[] = []
  best.forEach((b, c) => {
    for (let a = 0; a < 4; a++) q.push(track.cells[c] === 1 ? null : b < 0 ? 0 : a === b ? 1 : 0)
  })
  return { runId: 1, episode: 5, width: 4, height: 3, nActions: 4, q }
}

describe('renderer racer helpers', () => {
  test('greedyAction takes the argmax and says nothing for untrained or wall cells', () => {
    const p = policyOf([3, 0, 0, -1, 0, -1, 3, 0, 3, 3, 3, -1])
    expect(greedyAction(p, 0)).toBe(3)
    expect(greedyAction(p, 3)).toBe(-1) // wall (null row)
    expect(greedyAction(p, 11)).toBe(-1) // all equal
  })

  test('greedyRoute follows the arrows to the goal, and stops on a loop', () => {
    // right, right, down, -, -, -, down... : (0,0)→(1,0)→(2,0)→(2,1)→(2,2)→(3,2)=G
    const good = policyOf([3, 3, 0, -1, 0, -1, 0, 0, 3, 3, 3, -1])
    const r = greedyRoute(good, track)
    expect(r.reached).toBe(true)
    expect(r.cells.length - 1).toBe(shortestPath(track)!.steps)
    const loop = policyOf([3, 1, 0, -1, 0, -1, 0, 0, 3, 3, 3, -1])
    expect(greedyRoute(loop, track).reached).toBe(false)
  })

  test('maxQRange ignores walls and goals', () => {
    // (0,1) untrained (max 0); the goal's row would be 5 but does not count.
    const p = policyOf([3, 3, 0, -1, -1, -1, 0, 0, 3, 3, 3, -1])
    p.q[11 * 4] = 5
    expect(maxQRange(p, track)).toEqual({ lo: 0, hi: 1 })
  })

  test('the editor’s messages', () => {
    const noStart = trackFromAscii(['...', '..G'])
    expect(validateTrack(noStart).map(friendlyProblem)).toEqual(['No start — place one with S'])
    const walled = trackFromAscii(['S#.', '.#G'])
    const problems = validateTrack(walled)
    expect(problems.map(friendlyProblem)).toEqual(['Goal (2,1) cannot be reached from the start'])
    expect(unreachableGoals(problems)).toEqual([{ x: 2, y: 1 }])
  })

  test('viridis runs from dark purple to yellow', () => {
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54])
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25])
    expect(viridis(Number.NaN)).toEqual(viridis(0))
  })

  test('simulateEpisode replays on the run’s track and attaches it as the scene’s world', () => {
    const actions = shortestPath(track)!.actions
    const sim = simulateEpisode('racer', { seed: 0, actions, outputs: null }, { envParams: { max_steps: 100 }, track: trackToJSON(track) })
    expect(sim.error).toBeNull()
    expect(sim.frames.at(-1)!.terminal).toBe(true)
    expect(sim.frames.at(-1)!.state).toMatchObject({ x: 3, y: 2, won: true })
    const world = sim.frames[0].world
    expect(isRacerWorld(world)).toBe(true)
    if (isRacerWorld(world)) {
      expect(world.track.width).toBe(4)
      expect(world.trail).toHaveLength(actions.length + 1)
      expect(world.trail[0]).toEqual({ x: 0, y: 0 })
    }
  })
})
