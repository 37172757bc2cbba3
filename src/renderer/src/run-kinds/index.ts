/**
 * The renderer's run-kind registry: every `./<kind>/view.ts` is found at build
 * time. A run's kind is its algorithm's (AlgoInfo.kind), looked up in the core
 * registry; views and components ask this instead of testing ids.
 */
import { findAlgo, findWorld } from '../../../core/catalog'
import type { RunSummary } from '../../../shared/api'
import type { RunKindView } from './types'

export type { RunKindView } from './types'

const modules = import.meta.glob<{ view: RunKindView }>('./*/view.ts', { eager: true })

const kinds = new Map<string, RunKindView>()
for (const [path, m] of Object.entries(modules)) {
  if (m.view.kind !== path.split('/')[1]) throw new Error(`${path} declares the "${m.view.kind}" run kind; a kind's view lives in its own folder`)
  kinds.set(m.view.kind, m.view)
}

export function listRunKindViews(): RunKindView[] {
  return [...kinds.values()]
}

/**
 * The view of a run's kind: its algorithm's kind; for an algorithm this build
 * does not know, its world's (a data set is learned by generative models).
 */
export function runKindView(run: Pick<RunSummary, 'algo' | 'env'>): RunKindView {
  const kind = findAlgo(run.algo)?.kind ?? (findWorld(run.env)?.kind === 'dataset' ? 'generative' : 'rl')
  const view = kinds.get(kind)
  if (!view) throw new Error(`no view for "${kind}" runs`)
  return view
}

/** What a unit of a run's training is called: its algorithm's (episodes, epochs). */
export function unitOf(run: Pick<RunSummary, 'algo'>): string {
  return findAlgo(run.algo)?.unit ?? 'episodes'
}

/** Whether a run recorded episodes (replay, live view, play), by its kind. */
export function hasEpisodes(run: Pick<RunSummary, 'algo' | 'env'>): boolean {
  return runKindView(run).episodes
}

/** Why a run has no replays to show: an agent's first comes at its recording interval; a data-set run never records any. */
export function noReplaysText(run: Pick<RunSummary, 'algo' | 'env' | 'config'>): string {
  if (!hasEpisodes(run)) return `A ${findAlgo(run.algo)?.label ?? run.algo} run learns from a data set in ${unitOf(run)}: it plays no episodes, so it has no replays. Its results and reconstructions are on its run page.`
  return `A replay is recorded every ${run.config.replay_every} episodes; the first appears once training gets there.`
}
