/**
 * An agent's recorded per-step outputs as the bars a step's details show: one
 * bar chart per part that has a number for each action (Q-values; Split-Q's
 * Q⁺ and Q⁻, and first their sum, which it acts on). Parts of another length
 * (the two-headed DQN's class probabilities) are the world's frame panel's to show.
 */
import type { AlgoOutputs } from '../../../core/catalog'

export interface OutputBars {
  label: string
  short: string
  values: number[]
}

export function outputBars(spec: AlgoOutputs | undefined, row: readonly number[] | null, nActions: number): OutputBars[] {
  const label = spec?.label ?? 'Q-values'
  if (!spec?.parts) return [{ label, short: spec?.short ?? 'Q', values: row && row.length >= nActions ? row.slice(0, nActions) : [] }]
  const bars: OutputBars[] = []
  let at = 0
  for (const part of spec.parts) {
    const n = part.n === 0 ? nActions : part.n
    if (n === nActions) bars.push({ label: part.label, short: part.short, values: row && row.length >= at + n ? row.slice(at, at + n) : [] })
    at += n
  }
  if (spec.sum && bars.length > 1) {
    const complete = bars.every((b) => b.values.length === nActions)
    bars.unshift({ label: spec.sum.label, short: spec.sum.short, values: complete ? Array.from({ length: nActions }, (_, i) => bars.reduce((s, b) => s + b.values[i], 0)) : [] })
  }
  return bars
}
