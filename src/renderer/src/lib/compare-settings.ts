/**
 * A run's settings as a readable table: each with its label from the spec
 * (world's and algorithm's ParamSpecs), its key, its value, and whether it
 * acted in this run — a setting whose `shownWhen` fails (a death penalty
 * under the vanilla reward, Split-Q's own weights under a named preset) is
 * recorded with its default but marked unused.
 */
import { findAlgo, findWorld } from '../../../core/catalog'
import { isShown, type ParamSpec } from '../../../core/params'
import type { RunSummary } from '../../../shared/api'
import { runKindView, unitOf } from '../run-kinds'
import { show } from './compare-rows'

export interface SettingRow {
  /** Flat key as Compare lists it: `seed`, `env_params.reward`, `params.lr`. */
  key: string
  /** The key as the CLI's --set takes it. */
  short: string
  label: string
  value: string
  /** False when the setting did not act in this run (its `shownWhen` failed). */
  used: boolean
  /** Why it is unused: "used when reward is death_tax, split_q or parameterized". */
  when?: string
  /** What the setting does (its spec's help: what an empty list means, for one). */
  help?: string
}

export interface SettingSection {
  id: 'run' | 'env' | 'algo'
  title: string
  rows: SettingRow[]
}

type RunLike = Pick<RunSummary, 'config' | 'algo' | 'env'>

/** "used when reward is death_tax, split_q or parameterized" */
export function shownWhenText(spec: Pick<ParamSpec, 'shownWhen'>): string | undefined {
  const parts = Object.entries(spec.shownWhen ?? {}).map(([k, vs]) => {
    const list = vs.map(String)
    return `${k} is ${list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0]}`
  })
  return parts.length ? `used when ${parts.join(' and ')}` : undefined
}

function specRows(prefix: string, specs: readonly ParamSpec[], values: Record<string, unknown>, skip: readonly string[] = []): SettingRow[] {
  const rows: SettingRow[] = []
  const known = new Set(specs.map((s) => s.key))
  for (const spec of specs) {
    if (skip.includes(spec.key) || !(spec.key in values)) continue
    const used = isShown(spec, values)
    rows.push({ key: `${prefix}.${spec.key}`, short: spec.key, label: spec.label, help: spec.help, value: show(values[spec.key]), used, ...(used ? {} : { when: shownWhenText(spec) }) })
  }
  // Settings recorded by an older version of a spec list: shown as they are.
  for (const [k, v] of Object.entries(values)) {
    if (!known.has(k) && !skip.includes(k)) rows.push({ key: `${prefix}.${k}`, short: k, label: k, value: show(v), used: true })
  }
  return rows
}

/** The run's own settings, its world's and its algorithm's, each labelled. */
export function runSettingSections(run: RunLike): SettingSection[] {
  const c = run.config
  const world = findWorld(run.env)
  const algo = findAlgo(run.algo)
  const unit = unitOf(run)
  const runRows: SettingRow[] = [
    { key: 'env', short: 'env', label: 'World', value: c.env, used: true },
    { key: 'algo', short: 'algo', label: 'Algorithm', value: c.algo, used: true },
    { key: unit, short: unit, label: unit === 'episodes' && world?.episodeNoun ? `${world.episodeNoun[0].toUpperCase()}${world.episodeNoun.slice(1)}s` : `${unit[0].toUpperCase()}${unit.slice(1)}`, value: show(c.episodes), used: true },
    { key: 'seed', short: 'seed', label: 'Seed', value: show(c.seed), used: true },
    { key: 'backend', short: 'backend', label: 'Backend', value: show(c.backend), used: true },
    ...Object.entries(runKindView(run).configEntries(run)).map(([k, v]) => ({ key: k, short: k, label: k.replace(/[._]/g, ' ').replace(/^./, (ch) => ch.toUpperCase()), value: v, used: true })),
  ]
  if (c.track) runRows.push({ key: 'track', short: 'track', label: 'Track', value: c.track.name ?? '(custom)', used: true })
  const sections: SettingSection[] = [{ id: 'run', title: 'Run', rows: runRows }]
  const envRows = specRows('env_params', world?.params ?? [], c.env_params ?? {})
  if (envRows.length) sections.push({ id: 'env', title: `${world?.label ?? run.env} settings`, rows: envRows })
  // Settings the run owns (a VAE's epochs and seed) are listed once, as the run's.
  const owned: string[] = Object.values(algo?.runOwned ?? {})
  sections.push({ id: 'algo', title: `${algo?.label ?? run.algo} hyper-parameters`, rows: specRows('params', algo?.params ?? [], c.params ?? {}, owned) })
  return sections
}

/** Label and use of one flat key in a run (for Compare's rows); null when the run has no such setting. */
export function settingOf(run: RunLike, key: string): SettingRow | null {
  for (const s of runSettingSections(run)) {
    const row = s.rows.find((r) => r.key === key)
    if (row) return row
  }
  return null
}
