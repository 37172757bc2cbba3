import { describe, expect, it } from 'vitest'
import { getAlgo } from '../../src/core/catalog'
import { outputBars } from '../../src/renderer/src/lib/outputs'

describe('outputBars: what a step’s details show of the agent’s outputs', () => {
  it('shows a DQN’s row as one bar chart of Q-values', () => {
    expect(outputBars(getAlgo('dqn').outputs, [1, 2, 3], 3)).toEqual([{ label: 'Q-values', short: 'Q', values: [1, 2, 3] }])
    expect(outputBars(getAlgo('dqn').outputs, null, 3)).toEqual([{ label: 'Q-values', short: 'Q', values: [] }])
  })

  it('shows Split-Q’s sum first (what it acts on), then each stream', () => {
    // Recorded row: Q⁺ for 3 actions, then Q⁻ for 3 actions.
    const bars = outputBars(getAlgo('split-q').outputs, [5, 1, 2, -1, -4, 0], 3)
    expect(bars.map((b) => b.label)).toEqual(['Q⁺ + Q⁻ (what it acts on)', 'Reward stream Q⁺', 'Punishment stream Q⁻'])
    expect(bars.map((b) => b.short)).toEqual(['Q', 'Q⁺', 'Q⁻'])
    expect(bars.map((b) => b.values)).toEqual([
      [4, -3, 2],
      [5, 1, 2],
      [-1, -4, 0],
    ])
  })

  it('leaves parts that are not one number per action to the world’s panel (the two-headed DQN’s class probabilities)', () => {
    const row = [...Array.from({ length: 8 }, (_, i) => i), 0.2, 0.5, 0.3]
    expect(outputBars(getAlgo('two-head-dqn').outputs, row, 8)).toEqual([{ label: 'Move Q-values', short: 'Q', values: [0, 1, 2, 3, 4, 5, 6, 7] }])
  })

  it('shows nothing for a row too short for its parts rather than misreading it', () => {
    const bars = outputBars(getAlgo('split-q').outputs, [5, 1, 2], 3)
    expect(bars.map((b) => b.values)).toEqual([[], [5, 1, 2], []])
  })
})
