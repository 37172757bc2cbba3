import { describe, expect, it } from 'vitest'
import { MAX_SWEEP_RUNS, resolveSweep, sweepConfigs, sweepRunCount, sweepSeeds, sweepTrainRequest, UNTIL_TIME_IS_UP } from '../../src/core/sweep'
import { resolveRunConfig } from '../../src/shared/api'
import type { SweepConfigRow, SweepSummary } from '../../src/shared/sweeps'
import { configsCsv } from '../../src/renderer/src/lib/sweep-table'

const resolve = (input: Record<string, unknown>) => resolveSweep({ env: 'catch', algo: 'dqn', ...input }, { parallel: 2 })

describe('sweep expansion', () => {
  it('crosses every grid point with every random draw, and runs each configuration with the same seeds', () => {
    const spec = resolve({
      settings: { lr: { grid: [1e-3, 5e-4] }, batch_size: { grid: [16, 32, 64] }, gamma: { random: { min: 0.8, max: 0.99 } } },
      budget: { runs: 4, episodes: 50 },
      seeds: 3,
      seed: 11,
    })
    const configs = sweepConfigs(spec)
    expect(configs).toHaveLength(2 * 3 * 4)
    expect(sweepRunCount(spec)).toBe(2 * 3 * 4 * 3)
    // The grid's last setting varies fastest; each grid point takes the same 4 draws.
    expect(configs.slice(0, 4).every((c) => c.values.lr === 1e-3 && c.values.batch_size === 16)).toBe(true)
    expect(configs[4].values).toMatchObject({ lr: 1e-3, batch_size: 32 })
    const draws = configs.slice(0, 4).map((c) => c.values.gamma)
    expect(configs.slice(4, 8).map((c) => c.values.gamma)).toEqual(draws)
    expect(new Set(draws).size).toBe(4)
    for (const g of draws) expect(g as number).toBeGreaterThanOrEqual(0.8), expect(g as number).toBeLessThanOrEqual(0.99)
    const seeds = sweepSeeds(spec)
    expect(seeds).toHaveLength(3)
    expect(new Set(seeds).size).toBe(3)
    // Every run's request passes the run checks with the values it was given.
    const run = resolveRunConfig(sweepTrainRequest(spec, configs[5], seeds[1], 'x'))
    expect(run).toMatchObject({ seed: seeds[1], episodes: 50, params: { lr: configs[5].values.lr, batch_size: 32, gamma: configs[5].values.gamma } })
  })

  it('is the same from the same sweep seed and differs from another', () => {
    const input = { settings: { gamma: { random: { min: 0.8, max: 0.99 } }, lr: { random: { min: 1e-5, max: 1e-2, scale: 'log' } } }, budget: { runs: 6 }, seeds: 2 }
    const a = resolve({ ...input, seed: 5 })
    const b = resolve({ ...input, seed: 5 })
    const c = resolve({ ...input, seed: 6 })
    expect(sweepConfigs(a)).toEqual(sweepConfigs(b))
    expect(sweepSeeds(a)).toEqual(sweepSeeds(b))
    expect(sweepConfigs(a)).not.toEqual(sweepConfigs(c))
    // More draws keep the earlier ones.
    expect(sweepConfigs(resolve({ ...input, seed: 5, budget: { runs: 8 } })).slice(0, 6)).toEqual(sweepConfigs(a))
  })

  it('draws log-uniform values over decades and whole numbers for whole-number settings', () => {
    const spec = resolve({ settings: { lr: { random: { min: 1e-5, max: 1e-1, scale: 'log' } }, batch_size: { random: { min: 8, max: 64 } } }, budget: { runs: 200 }, seed: 3 })
    const configs = sweepConfigs(spec)
    const decades = new Set(configs.map((c) => Math.floor(Math.log10(c.values.lr as number))))
    // Uniform on [1e-5, 1e-1] would put ~99.9 % in the top decade; log-uniform fills all four.
    expect([...decades].sort((x, y) => x - y)).toEqual([-5, -4, -3, -2])
    for (const c of configs) {
      expect(Number.isInteger(c.values.batch_size)).toBe(true)
      expect(c.values.batch_size as number).toBeGreaterThanOrEqual(8)
      expect(c.values.batch_size as number).toBeLessThanOrEqual(64)
    }
  })

  it('fills defaults: the world headline metric maximised, its episodes, one seed, one configuration per grid point', () => {
    const spec = resolve({ settings: { lr: { grid: [1e-3] } } })
    expect(spec.metric).toEqual({ key: 'win_rate', label: 'Win rate (last 100)', direction: 'max' })
    expect(spec).toMatchObject({ env: 'catch-v1', seeds: 1, samples: 1, budget: { episodes: 1000, minutes: null }, parallel: 2, on: 'local' })
    expect(resolve({ settings: {}, budget: { minutes: 2 } }).budget).toEqual({ episodes: UNTIL_TIME_IS_UP, minutes: 2 })
    // Without a direction, a metric the registry marks lower-is-better is minimised, any other maximised.
    expect(resolve({ settings: {}, metric: { key: 'loss' } }).metric.direction).toBe('max')
    expect(resolve({ settings: {}, metric: { key: 'loss', direction: 'min' } }).metric.direction).toBe('min')
    expect(resolveSweep({ env: 'racer', algo: 'qtable', settings: {}, metric: { key: 'greedy_steps' } }, { parallel: 1 }).metric.direction).toBe('min')
    // A world setting is swept like an algorithm's (the maze's death penalty).
    const maze = resolveSweep({ env: 'maze', algo: 'dqn', settings: { death_pen: { grid: [100, 500] } } }, { parallel: 1 })
    expect(maze.axes[0]).toMatchObject({ key: 'death_pen', target: 'env_params' })
  })

  it.each([
    [{ env: 'pong', settings: {} }, /^unknown env "pong" \(known: catch/],
    [{ algo: 'vae', settings: {} }, /^unknown algo "vae" for catch \(known: dqn/],
    [{ settings: { frobnicate: { grid: [1] } } }, /^unknown setting "frobnicate" for catch \+ dqn \(known: .*lr/],
    [{ settings: { lr: { grid: [] } } }, /^the grid for lr is empty; give at least one value$/],
    [{ settings: { lr: { grid: [1e-3, -1] } } }, /^grid value -1 for lr: lr must be greater than 0$/],
    [{ settings: { lr: { grid: [1e-3, 1e-3] } } }, /^the grid for lr lists 0.001 twice$/],
    [{ settings: { optimizer: { random: { min: 0, max: 1 } } } }, /^optimizer is a select setting; a random range needs a number — give it a grid$/],
    [{ settings: { gamma: { random: { min: 0.9, max: 0.8 } } } }, /^the range for gamma must have min < max, got 0.9:0.8$/],
    [{ settings: { lr: { random: { min: 0, max: 0.1, scale: 'log' } } } }, /^a log-uniform range for lr needs min > 0, got 0$/],
    [{ settings: { gamma: { random: { min: 0.5, max: 2 } } } }, /^range end 2 for gamma: gamma must be at most/],
    [{ settings: { lr: { grid: [1e-3] } }, budget: { runs: 5 } }, /^a runs budget sets how many random configurations to draw; this sweep has no random setting$/],
    [{ settings: { lr: { grid: [1e-3] } }, metric: { key: 'score' } }, /^unknown metric "score" for catch \+ dqn \(known: return, win_rate/],
    [{ settings: { lr: { grid: [1e-3] } }, fixed: { lr: 1e-2 } }, /^lr is both swept and fixed/],
    [{ settings: { lr: { grid: Array.from({ length: 40 }, (_, i) => (i + 1) / 1000) } }, seeds: 26 }, new RegExp(`^this sweep makes 1040 runs \\(40 grid points × 1 random draws × 26 seeds\\); at most ${MAX_SWEEP_RUNS}`)],
    [{ settings: {}, seeds: 0 }, /^seeds: seeds must be at least 1$/],
    [{ settings: { lr: { grid: [1e-3], random: { min: 1e-4, max: 1e-2 } } } }, /^settings.lr: each setting takes \{grid: \[values\]\} or \{random: \{min, max, scale\}\}$/],
  ])('rejects %j with one line naming the problem', (input, message) => {
    let error: Error | null = null
    try {
      resolve(input)
    } catch (e) {
      error = e as Error
    }
    expect(error?.name).toBe('SweepError')
    expect(error?.message).toMatch(message)
    expect(error?.message).not.toContain('\n')
  })
})

describe('the sweep page table', () => {
  const spec = resolve({ settings: { lr: { grid: [1e-3, 5e-4, 2e-4] }, optimizer: { grid: ['adam', 'rmsprop'] } }, seed: 1 })
  const sweep = { id: 3, spec } as unknown as SweepSummary
  const row = (index: number, lr: number, optimizer: string, mean: number | null, best = false): SweepConfigRow => ({ index, values: { lr, optimizer }, landed: mean === null ? 0 : 2, runs: 2, mean, std: mean === null ? null : 0.05, best })
  const rows = [row(0, 1e-3, 'adam', 0.5), row(1, 1e-3, 'rmsprop', 0.9, true), row(2, 5e-4, 'adam', null), row(3, 2e-4, 'rmsprop', 0.7)]

  it('exports one CSV line per configuration with the swept settings, mean, std and the best marked', () => {
    expect(configsCsv(sweep, rows).split('\n')).toEqual([
      'config,lr,optimizer,win_rate_mean,win_rate_std,runs_landed,runs,best',
      '1,0.001,adam,0.5,0.05,2,2,false',
      '2,0.001,rmsprop,0.9,0.05,2,2,true',
      '3,0.0005,adam,,,0,2,false',
      '4,0.0002,rmsprop,0.7,0.05,2,2,false',
      '',
    ])
  })
})

describe('a hostile sweep request', () => {
  it('is refused by its size before anything is expanded', () => {
    const big = Array.from({ length: 5000 }, (_, i) => (i + 1) / 1e6)
    expect(() => resolve({ settings: { lr: { grid: big } } })).toThrow(`settings.lr.grid: a grid has at most ${MAX_SWEEP_RUNS} values`)
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, { grid: [1] }]))
    expect(() => resolve({ settings: many })).toThrow('settings: at most 32 settings are swept at once')
  })
})
