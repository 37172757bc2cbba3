/**
 * Comparing agents' runs: their run settings, and final numbers from the
 * metric specs — the world's success metric, mean return, the world's own
 * measurements (Pixel Racer's greedy moves) and the algorithm's latest values.
 */
import { findAlgo, findWorld, type MetricSpec } from '../../../../core/catalog'
import type { RunSummary } from '../../../../shared/api'
import { meanOfLast, row, show, type MetricRow } from '../../lib/compare-rows'
import { fmtPercent } from '../../lib/format'
import type { MetricsBuffer } from '../../lib/metrics'
import { formatOf, RL_RUN_METRICS } from './metrics'

const GROUP = 'RL'

export function rlConfigEntries(run: Pick<RunSummary, 'config'>): Record<string, string> {
  const c = run.config
  return {
    target: c.target ? `${c.target.metric} ≥ ${c.target.value}` : 'none',
    checkpoint_every: show(c.checkpoint_every),
    replay_every: show(c.replay_every),
  }
}

/** Specs of `list(run)` over the runs that are mine, first seen first (one per key). */
function specsOf(runs: readonly RunSummary[], mine: (i: number) => boolean, list: (r: RunSummary) => readonly MetricSpec[] | undefined): MetricSpec[] {
  const out: MetricSpec[] = []
  runs.forEach((r, i) => {
    if (mine(i)) for (const s of list(r) ?? []) if (!out.some((x) => x.key === s.key)) out.push(s)
  })
  return out
}

export function rlCompareRows(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[], mine: (i: number) => boolean): MetricRow[] {
  const latest = (i: number, key: string): number | null => {
    const v = runs[i].latest[key]
    return v === undefined || !Number.isFinite(v) ? null : v
  }
  const only = (f: (i: number) => number | null): (number | null)[] => runs.map((_, i) => (mine(i) ? f(i) : null))
  const has = (key: string): boolean => runs.some((r, i) => mine(i) && r.latest[key] !== undefined)
  const rows: MetricRow[] = []

  // The worlds' success metrics (win rate), labelled as the world words it when the runs agree.
  const success = runs.map((r, i) => (mine(i) ? findWorld(r.env)?.successMetric : undefined))
  for (const key of [...new Set(success.map((s) => s?.key ?? 'win_rate'))]) {
    const labels = [...new Set(success.filter((s) => s?.key === key).map((s) => s!.label))]
    const spec = RL_RUN_METRICS.find((s) => s.key === key)
    const label = labels.length === 1 ? labels[0] : (spec?.label ?? key)
    rows.push(row(key, GROUP, label, only((i) => latest(i, key)), 'higher', spec?.fraction ? fmtPercent : undefined))
  }
  const ret = RL_RUN_METRICS.find((s) => s.key === 'return')!
  rows.push(row('mean_return', GROUP, `Mean ${ret.label.toLowerCase()} (last 100)`, only((i) => meanOfLast(buffers[i]?.series.get(ret.key), 100) ?? latest(i, ret.key)), 'higher'))

  for (const spec of specsOf(runs, mine, (r) => findWorld(r.env)?.metrics)) {
    if (!has(spec.key)) continue
    const better = spec.better ?? null
    rows.push(row(spec.key, GROUP, spec.label, only((i) => latest(i, spec.key)), better, formatOf(spec), spec.unit ? `In ${spec.unit}` : undefined))
  }
  for (const spec of specsOf(runs, mine, (r) => findAlgo(r.algo)?.metrics)) {
    if (has(spec.key)) rows.push(row(spec.key, GROUP, spec.label, only((i) => latest(i, spec.key)), null, formatOf(spec), 'The latest value'))
  }
  return rows
}
