import { describe, expect, it } from 'vitest'
import { resolveRunConfig } from '../../src/shared/api'
import { configRows } from '../../src/renderer/src/lib/compare'
import { runSettingSections, settingOf, shownWhenText } from '../../src/renderer/src/lib/compare-settings'

/** A maze run as the services resolve it (every default filled in). */
function mazeRun(algo: string, env_params: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const config = resolveRunConfig({ env: 'maze', algo, seed: 3, episodes: 12, params, env_params })
  return { config, algo: config.algo, env: config.env }
}

describe('a run’s parameter table', () => {
  it('lists every setting: the run’s, the world’s with reward weights, the algorithm’s, labelled from their specs', () => {
    const run = mazeRun('split-q', { preset: 'small', reward: 'death_tax', death_pen: 100 }, { split_preset: 'chronic_pain' })
    const sections = runSettingSections(run)
    expect(sections.map((s) => s.title)).toEqual(['Run', 'Maze settings', 'Split-Q hyper-parameters'])
    const run0 = sections[0].rows
    expect(run0.slice(0, 5).map((r) => [r.label, r.value])).toEqual([
      ['World', 'maze-v1'],
      ['Algorithm', 'split-q'],
      ['Games', '12'],
      ['Seed', '3'],
      ['Backend', 'auto'],
    ])
    const maze = sections[1].rows
    expect(maze.map((r) => r.short)).toEqual(expect.arrayContaining(['preset', 'reward', 'death_pen', 'ghost_mul', 'w_pellet', 'w_death', 'w_step', 'frame_skip', 'max_steps']))
    expect(settingOf(run, 'env_params.death_pen')).toMatchObject({ label: 'Death penalty', value: '100', used: true })
    // Under death_tax the ghost multiplier and the custom weights are recorded but do not act.
    expect(settingOf(run, 'env_params.ghost_mul')).toMatchObject({ used: false, when: 'used when reward is ghostbusters, split_q or parameterized' })
    expect(settingOf(run, 'env_params.w_pellet')).toMatchObject({ used: false, when: 'used when reward is custom' })
    // Split-Q's weights are its preset's: the four custom numbers are unused.
    expect(settingOf(run, 'params.split_preset')).toMatchObject({ label: 'Bias preset', value: 'chronic_pain', used: true })
    expect(settingOf(run, 'params.w_r')).toMatchObject({ used: false, when: 'used when split_preset is custom' })
    expect(settingOf(run, 'params.gamma')?.used).toBe(true)
  })

  it('compare rows: labels, the settings that differ, and which run did not use a setting', () => {
    const a = mazeRun('dqn', { preset: 'small', reward: 'vanilla' })
    const b = mazeRun('split-q', { preset: 'small', reward: 'death_tax', death_pen: 100 }, { split_preset: 'custom', w_r: 0.5 })
    const rows = configRows([a, b])
    const get = (k: string) => rows.find((r) => r.key === k)!
    expect(get('algo')).toMatchObject({ label: 'Algorithm', values: ['dqn', 'split-q'], differs: true })
    expect(get('env_params.reward')).toMatchObject({ label: 'Reward function', values: ['vanilla', 'death_tax'], differs: true })
    expect(get('env_params.death_pen')).toMatchObject({ values: ['500', '100'], unused: [true, false], differs: true })
    expect(get('env_params.preset')).toMatchObject({ differs: false, unused: [false, false] })
    expect(get('params.w_r')).toMatchObject({ values: ['—', '0.5'], unused: [false, false] })
    expect(get('seed').differs).toBe(false)
  })

  it('an empty list reads "empty", labelled, with its spec saying what empty means (no raw `params.hidden` and `[]`)', () => {
    const linear = mazeRun('dqn', { preset: 'small' }, { hidden: [] })
    const rows = configRows([linear, mazeRun('dqn', { preset: 'small' })])
    const hidden = rows.find((r) => r.key === 'params.hidden')!
    expect(hidden).toMatchObject({ label: 'Hidden layers', values: ['empty', '128'], differs: true })
    expect(hidden.help).toMatch(/empty for a linear Q-function/)
    expect(rows.find((r) => r.key === 'params.conv_strides')!.values).toEqual(['empty', 'empty'])
  })

  it('words a condition for people', () => {
    expect(shownWhenText({ shownWhen: { reward: ['a'] } })).toBe('used when reward is a')
    expect(shownWhenText({ shownWhen: { reward: ['a', 'b', 'c'], obs: ['x'] } })).toBe('used when reward is a, b or c and obs is x')
    expect(shownWhenText({})).toBeUndefined()
  })
})
