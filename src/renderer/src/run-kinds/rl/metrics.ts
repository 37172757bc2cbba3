/**
 * What an agent's run reports, as metric specs: the numbers the trainer
 * records for every agent (src/main/trainer/rl-job.ts: return, rolling win
 * rate, episode length, throughput), then the algorithm's own (loss, ε or
 * noise), the world's episode stats (Snake's length) and the world's monitor
 * (Pixel Racer's greedy moves). Charts and stat tiles are built from these
 * labels, units, groups and `fraction` flags — no component names a key.
 */
import type { AlgoDescriptor, MetricSpec, WorldDescriptor } from '../../../../core/catalog'
import { fmtNumber, fmtPercent, fmtRate } from '../../lib/format'
import type { WorldChart } from '../../worlds'

/** Recorded for every agent's run, whatever its algorithm and world (declared in core next to the agent contract). */
import { AGENT_RUN_METRICS as RL_RUN_METRICS, ROLLING_WINDOW } from '../../../../core/agent'

export { RL_RUN_METRICS }

/** Values recorded once per episode (noisy): drawn as points under the lines. */
const PER_EPISODE = new Set(['return', 'episode_length'])

/** Titles of panels that several metrics of one group share. */
const GROUP_TITLE: Record<MetricSpec['group'], string> = {
  outcome: 'Outcome',
  learning: 'Learning',
  evaluation: 'Evaluation',
  throughput: 'Throughput',
  results: 'Results',
}

const GROUP_ORDER: readonly MetricSpec['group'][] = ['outcome', 'evaluation', 'learning', 'throughput', 'results']
const COLORS = ['#2dd4bf', '#f472b6', '#fbbf24', '#60a5fa', '#a78bfa', '#22c55e']
const POINTS_COLOR = 'rgba(148,163,184,0.45)'

export interface PanelSeries {
  key: string
  label: string
  color: string
  axis: 'y' | 'y2'
  style: 'line' | 'points'
  width?: number
  /** A reference line (the world chart's `reference`). */
  dash?: number[]
  format: (v: number) => string
}

export interface MetricPanel {
  title: string
  series: PanelSeries[]
  /** Fixed range of the left axis ([0, 1] when it holds only fractions). */
  yRange?: [number, number]
  /** Fixed range of the right axis (fractions: [0, 1]). */
  y2Range?: [number, number]
  /** Axis titles: what the values are, in what unit or over what window. */
  yLabel: string
  y2Label?: string
}

const lower = (label: string): string => (/^[A-Z][a-z]/.test(label) ? label[0].toLowerCase() + label.slice(1) : label)

/**
 * An axis title for metrics drawn on one axis: their shared unit ("steps", "moves"),
 * else their names; a rolling value states its window ("win rate (last 100 episodes)").
 */
export function axisTitle(specs: readonly MetricSpec[], noun = 'episode'): string {
  if (!specs.length) return ''
  const unit = specs[0].unit
  if (specs.length === 1 && unit) return `${lower(specs[0].label)} (${unit})`
  // Several metrics with units share an axis in their units ("steps / moves").
  if (specs.every((s) => s.unit && !s.window)) return [...new Set(specs.map((s) => s.unit))].join(' / ')
  return specs.map((s) => (s.window ? `${lower(s.label)} (last ${s.window} ${noun}s)` : s.unit ? `${lower(s.label)} (${s.unit})` : lower(s.label))).join(', ')
}

/** Every metric spec of an agent's run: the run's own, the algorithm's and the world's. */
export function rlMetricSpecs(algo: Pick<AlgoDescriptor, 'metrics'> | undefined, world: Pick<WorldDescriptor, 'metrics'> | undefined): MetricSpec[] {
  const all = [...RL_RUN_METRICS, ...(algo?.metrics ?? []), ...(world?.metrics ?? [])]
  return all.filter((m, i) => all.findIndex((x) => x.key === m.key) === i)
}

export function formatOf(spec: Pick<MetricSpec, 'fraction' | 'group'>): (v: number) => string {
  if (spec.fraction) return fmtPercent
  if (spec.group === 'throughput') return fmtRate
  return (v) => fmtNumber(v)
}

/** One line (or points, for per-episode values) per metric; fractions on the right-hand 0–1 axis beside others. */
function panelOf(title: string, specs: readonly MetricSpec[], noun: string): MetricPanel {
  const values = specs.filter((s) => !s.fraction)
  const fractions = specs.filter((s) => s.fraction)
  // Fractions never share an axis with values: the right axis, or the left when they are alone.
  const fractionAxis = values.length ? 'y2' : 'y'
  let color = 0
  const series = [...values, ...fractions].map((s): PanelSeries => {
    const points = PER_EPISODE.has(s.key)
    return {
      key: s.key,
      label: s.label,
      color: points ? POINTS_COLOR : COLORS[color++ % COLORS.length],
      axis: s.fraction ? fractionAxis : 'y',
      style: points ? 'points' : 'line',
      width: points ? undefined : s.fraction ? 2 : 1.5,
      format: formatOf(s),
    }
  })
  return {
    title,
    series,
    yLabel: axisTitle(values.length ? values : fractions, noun),
    ...(values.length && fractions.length ? { y2Label: axisTitle(fractions, noun) } : {}),
    ...(fractions.length && !values.length ? { yRange: [0, 1] as [number, number] } : {}),
    ...(fractions.length && values.length ? { y2Range: [0, 1] as [number, number] } : {}),
  }
}

const joinLabels = (specs: readonly MetricSpec[]): string =>
  specs.map((s, i) => (i === 0 ? s.label : s.label.charAt(0).toLowerCase() + s.label.slice(1))).join(' & ')

/** What one episode is called ("game" in the maze), and its length's label ("Game length"). */
export function episodeNoun(world: Pick<WorldDescriptor, 'episodeNoun'> | undefined): string {
  return world?.episodeNoun ?? 'episode'
}
export function lengthLabel(world: Pick<WorldDescriptor, 'episodeNoun'> | undefined): string {
  const noun = episodeNoun(world)
  return `${noun[0].toUpperCase()}${noun.slice(1)} length`
}

/** A per-episode value as points with the trainer's rolling mean (`mean_<key>`, rl-job.ts) as a line; the title states the window. */
function windowPanel(key: string, label: string, noun: string, unit: string | undefined): MetricPanel {
  return {
    title: `${label} · mean of last ${ROLLING_WINDOW} ${noun}s`,
    yLabel: unit ? `${lower(label)} (${unit})` : lower(label),
    series: [
      { key, label: `each ${noun}`, color: POINTS_COLOR, axis: 'y', style: 'points', format: (v) => fmtNumber(v) },
      { key: `mean_${key}`, label: `mean of last ${ROLLING_WINDOW}`, color: '#34d399', axis: 'y', style: 'line', width: 2, format: (v) => fmtNumber(v) },
    ],
  }
}

/**
 * The chart panels of an agent's run, from its metric specs:
 * - the world view's own panels first (Pixel Racer's moves to the goal), built from the specs of the keys they name;
 * - the episode length and each world episode stat: its values and their mean over the last 100 episodes;
 * - then by group: one panel per metric, except that metrics of a group sharing a unit share one panel
 *   (titled by the group), and a group's fractions join its first panel on a right-hand 0–1 axis
 *   (or get a 0–1 panel of their own).
 */
export function rlChartPanels(
  algo: Pick<AlgoDescriptor, 'metrics'> | undefined,
  world: Pick<WorldDescriptor, 'metrics' | 'episodeStats' | 'episodeNoun'> | undefined,
  worldCharts: readonly WorldChart[] = [],
): MetricPanel[] {
  const specs = rlMetricSpecs(algo, world)
  const placed = new Set<string>()
  const panels: MetricPanel[] = []
  for (const c of worldCharts) {
    const own = c.keys.map((k) => specs.find((s) => s.key === k)).filter((s): s is MetricSpec => !!s)
    if (!own.length) continue
    own.forEach((s) => placed.add(s.key))
    const panel = panelOf(c.title, own, episodeNoun(world))
    for (const ps of panel.series) if (ps.key === c.reference) ps.dash = [5, 4]
    panels.push(panel)
  }
  // The length gets a panel with its rolling mean, unless the world's own panels show it (Pixel Racer's moves to the goal).
  const lengthPanel = !placed.has('episode_length')
  placed.add('episode_length')
  const byGroup = (g: MetricSpec['group']) => specs.filter((s) => s.group === g && !placed.has(s.key))
  const [outcome, ...rest] = GROUP_ORDER
  const grouped = (g: MetricSpec['group']): MetricPanel[] => {
    const list = byGroup(g)
    const values = list.filter((s) => !s.fraction)
    const fractions = list.filter((s) => s.fraction)
    const out: { specs: MetricSpec[]; shared: boolean }[] = []
    for (const s of values) {
      const same = s.unit ? out.find((p) => p.specs[0].unit === s.unit) : undefined
      if (same) {
        same.specs.push(s)
        same.shared = true
      } else out.push({ specs: [s], shared: false })
    }
    if (fractions.length) {
      if (out.length) out[0].specs.push(...fractions)
      else out.push({ specs: fractions, shared: fractions.length > 1 })
    }
    return out.map((p) => panelOf(p.shared ? GROUP_TITLE[g] : joinLabels(p.specs), p.specs, episodeNoun(world)))
  }
  panels.unshift(...grouped(outcome))
  // The trainer's rolling windows (rl-job.ts), stated in the titles: "Score · mean of last 100 games".
  const noun = episodeNoun(world)
  if (lengthPanel) panels.push(windowPanel('episode_length', lengthLabel(world), noun, specs.find((s) => s.key === 'episode_length')?.unit))
  for (const st of world?.episodeStats ?? []) panels.push(windowPanel(st.key, st.label, noun, st.unit))
  for (const g of rest) panels.push(...grouped(g))
  return panels
}
