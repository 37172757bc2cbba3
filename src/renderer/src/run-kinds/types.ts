/**
 * What the renderer shows for a kind of run (AlgoInfo.kind): agents acting in
 * a world ('rl') or generative models learning a data set ('generative').
 * Each kind's folder has a `view.ts` exporting one RunKindView; index.ts
 * discovers them. Components load lazily, so the registry imports no .vue file.
 */
import type { Component } from 'vue'
import type { AlgoInfo } from '../../../core/algorithm'
import type { RunSummary } from '../../../shared/api'
import type { MetricsBuffer } from '../lib/metrics'
import type { MetricRow } from '../lib/compare'

export interface RunKindView {
  kind: AlgoInfo['kind']
  /** The group code of this kind's compare rows (MetricRow.group) and its heading. */
  compareGroup: string
  title: string
  /** Runs record episodes: they can be replayed, watched live, and (with a model) played. */
  episodes: boolean
  /** The Runs table's headline number (an agent's win rate; a generative model's validation loss). */
  headline(run: RunSummary): { value: string; prefix?: string; title?: string }
  /** Units done before the run header estimates the time left. */
  etaAfter: number
  /** Tiles under the run header's progress bar (props: run, elapsed, eta — ms or null). */
  statTiles: Component
  /** A run's charts (props: runId). */
  charts: Component
  /** Below the charts (props: run): a generative model's results. */
  results?: Component
  /** Compare: the settings that mean something for this kind, flat key → text (besides env, algo, seed, backend). */
  configEntries(run: Pick<RunSummary, 'config' | 'algo'>): Record<string, string>
  /** Compare: this kind's rows of final numbers; `mine(i)` says whether run i is of this kind. */
  compareRows(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[], mine: (i: number) => boolean): MetricRow[]
  /** Compare: this kind's overlaid curves, inside the chart grid (props: runs, colors, buffers, version). */
  compareCharts: Component
  /** Compare: a panel after the charts (props: runs, colors), e.g. reconstructions side by side. */
  compareExtra?: Component
}
