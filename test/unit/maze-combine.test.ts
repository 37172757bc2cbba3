/**
 * Two policies combined on the maze's lives (src/core/agents/combined.ts): A
 * acts while lives ≥ k, B below, exactly at the step the life goes; the same
 * seed gives the same games; runs that see the game differently are refused
 * with a message naming the settings.
 */
import { describe, expect, test } from 'vitest'
import { combinationProblem, phaseOf, playCombined, playPolicies, summarizeGames, switchOnPhase, type GreedyPolicy } from '../../src/core/agents/combined'
import { makeEnv } from '../../src/core/catalog'
import { Rng } from '../../src/core/rng'
import type { MazeState } from '../../src/core/maze/env'

/** A scripted policy: a seeded walk that holds each direction for a while (loses lives on the small maze). */
function walker(seed: number): GreedyPolicy {
  const rng = new Rng(seed)
  let action = 1
  return {
    greedyAction: () => {
      if (rng.random() < 0.15) action = 1 + Math.floor(rng.random() * 8)
      return action
    },
  }
}

const SMALL = { preset: 'small', max_steps: 600 }

describe('combining two policies on the maze’s lives', () => {
  test('A acts while lives ≥ k; B from the first step that starts with lives below k', async () => {
    const env = makeEnv('maze-v1', SMALL)
    const phase = phaseOf('maze-v1')
    for (const k of [3, 2]) {
      const [game] = await playPolicies([{ policy: walker(1), nbFrames: 1 }, { policy: walker(2), nbFrames: 1 }], switchOnPhase(phase, { atLeast: k }), env, 1, 7)
      // Replay the game and read the lives before each step.
      const check = makeEnv('maze-v1', SMALL)
      check.reset(game.seed)
      const livesBefore: number[] = []
      for (const a of game.actions) {
        livesBefore.push((check.renderState() as MazeState).lives)
        check.step(a as never)
      }
      expect(game.actors).toEqual(livesBefore.map((l) => (l >= k ? 0 : 1)))
      // The game loses lives, so both models played; the switch is at the first step with lives < k.
      const switchAt = livesBefore.findIndex((l) => l < k)
      expect(switchAt).toBeGreaterThan(0)
      expect(game.actors.slice(0, switchAt).every((x) => x === 0)).toBe(true)
      expect(game.actors[switchAt]).toBe(1)
    }
  })

  test('k above the starting lives: B plays every step; k = 0: A plays every step', async () => {
    const env = makeEnv('maze-v1', SMALL)
    const phase = phaseOf('maze-v1')
    const policies = [{ policy: walker(1), nbFrames: 1 }, { policy: walker(2), nbFrames: 1 }]
    expect((await playPolicies(policies, switchOnPhase(phase, { atLeast: 4 }), env, 1, 3))[0].actors.every((x) => x === 1)).toBe(true)
    expect((await playPolicies(policies, switchOnPhase(phase, { atLeast: 0 }), env, 1, 3))[0].actors.every((x) => x === 0)).toBe(true)
  })

  test('the same seed gives the same games, and each model alone plays the same seeds', async () => {
    const run = () =>
      playCombined({ policy: walker(1), nbFrames: 1 }, { policy: walker(2), nbFrames: 2 }, makeEnv('maze-v1', SMALL), phaseOf('maze-v1'), { atLeast: 3 }, 3, 11)
    const first = await run()
    const second = await run()
    expect(second).toEqual(first)
    expect(first.alone[0].map((g) => g.seed)).toEqual(first.combined.map((g) => g.seed))
    expect(first.alone[1].map((g) => g.seed)).toEqual(first.combined.map((g) => g.seed))
    // Re-simulating seed + actions gives the recorded score.
    for (const g of first.combined) {
      const env = makeEnv('maze-v1', SMALL)
      env.reset(g.seed)
      let ret = 0
      for (const a of g.actions) ret += env.step(a as never).reward
      expect(ret).toBe(g.return)
      expect(env.episodeStats?.().score).toBe(g.stats.score)
    }
  })

  test('summaries give mean ± sample sd of return, length and each stat', () => {
    const s = summarizeGames([
      { return: 10, length: 4, stats: { score: 100 } },
      { return: 20, length: 6, stats: { score: 300 } },
    ])
    expect(s.return).toEqual({ mean: 15, sd: Math.sqrt(50) })
    expect(s.score.mean).toBe(200)
    expect(s.length.mean).toBe(5)
  })
})

describe('which runs can be combined', () => {
  const side = (label: string, env: string, envParams: Record<string, string | number> = {}) => ({ label, env, envParams })

  test('the same world and observation settings combine, whatever the reward', () => {
    expect(combinationProblem(side('run 1', 'maze', { preset: 'small' }), side('run 2', 'maze-v1', { preset: 'small', reward: 'death_tax', death_pen: 100 }))).toBeNull()
  })

  test('different worlds, mazes or observations are refused, naming the settings', () => {
    expect(combinationProblem(side('run 1', 'maze'), side('run 2', 'catch'))).toMatch(/run 1 plays Maze \(maze-v1\) and run 2 plays .*same world/)
    expect(combinationProblem(side('run 1', 'maze', { preset: 'small' }), side('run 2', 'maze'))).toMatch(/see the game differently \(settings that differ: preset "small" vs "full"\)/)
    expect(combinationProblem(side('run 1', 'maze', { frame_scale: 2 }), side('run 2', 'maze'))).toMatch(/frame_scale 2 vs 1/)
    // Same shapes, different timing: frame skip changes what the model sees after a step.
    expect(combinationProblem(side('run 1', 'maze', { frame_skip: 4 }), side('run 2', 'maze', { frame_skip: 2 }))).toMatch(/frame_skip 4 vs 2/)
    expect(combinationProblem(side('run 1', 'nope'), side('run 2', 'maze'))).toMatch(/run 1: unknown world "nope"/)
  })

  test('a world without a phase cannot be combined', () => {
    expect(combinationProblem(side('run 1', 'catch'), side('run 2', 'catch'))).toMatch(/declares no phase/)
    expect(() => phaseOf('catch')).toThrow(/declares no phase/)
  })
})
