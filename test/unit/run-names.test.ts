/**
 * Default run names tell runs apart (they used to repeat "Catch · DQN"): the world,
 * the algorithm, the track, the settings changed from their defaults, and the seed.
 */
import { describe, expect, test } from 'vitest'
import { trackToJSON } from '../../src/core/racer/track'
import { builtinTrack } from '../../src/core/racer/builtin-tracks'
import { defaultRunName, resolveRunConfig } from '../../src/shared/api'

const resolveTrack = (name: string | Record<string, unknown>) => ({ ...trackToJSON(builtinTrack(String(name) as 'track1')), name: String(name) })

describe('default run names', () => {
  test('two Catch DQN runs with other seeds or settings get different names', () => {
    const a = resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1 }).name
    const b = resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 2 }).name
    const c = resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1, params: { lr: 0.01 } }).name
    expect(a).toBe('Catch · DQN · seed 1')
    expect(b).toBe('Catch · DQN · seed 2')
    expect(c).toBe('Catch · DQN · lr 0.01 · seed 1')
    expect(new Set([a, b, c]).size).toBe(3)
  })

  test('a value equal to the default is not listed; the world’s own settings and the track are', () => {
    const name = resolveRunConfig({ env: 'racer', algo: 'qtable', seed: 3, track: 'track2' }, resolveTrack).name
    expect(name).toBe('Pixel Racer · Q-table · track2 · seed 3')
  })

  test('more than three changes are summarised, lists read as commas', () => {
    expect(defaultRunName(['Snake', 'DQN'], [['hidden', [64, 64]], ['lr', 0.01], ['gamma', 0.9], ['batch', 32]], 7)).toBe('Snake · DQN · hidden 64,64 · lr 0.01 · gamma 0.9 · +1 more · seed 7')
  })

  test('a name the user gives is kept as it is', () => {
    expect(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1, name: 'mine' }).name).toBe('mine')
  })
})
