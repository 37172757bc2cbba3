/** Agents acting in a world: episodes to replay and play, charts and tiles from the metric specs. */
import { defineAsyncComponent } from 'vue'
import { findWorld } from '../../../../core/catalog'
import type { RunKindView } from '../types'
import { rlCompareRows, rlConfigEntries } from './compare'
import { formatOf, RL_RUN_METRICS } from './metrics'

export const view: RunKindView = {
  kind: 'rl',
  compareGroup: 'RL',
  title: 'Reinforcement learning',
  episodes: true,
  // Early episodes are short and uneven: estimate the time left after a few.
  etaAfter: 5,
  headline(run) {
    // The world's success metric (win rate), formatted by its spec.
    const key = findWorld(run.env)?.successMetric.key ?? 'win_rate'
    const spec = RL_RUN_METRICS.find((s) => s.key === key)
    const v = run.latest[key]
    return { value: v === undefined ? '—' : formatOf(spec ?? { group: 'outcome' })(v) }
  },
  statTiles: defineAsyncComponent(() => import('./RlStatTiles.vue')),
  charts: defineAsyncComponent(() => import('../../components/RunCharts.vue')),
  configEntries: rlConfigEntries,
  compareRows: rlCompareRows,
  compareCharts: defineAsyncComponent(() => import('./RlCompareCharts.vue')),
  compareExtra: defineAsyncComponent(() => import('./RlBoxPlots.vue')),
}
