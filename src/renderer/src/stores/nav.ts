/**
 * Navigation as a tiny hash router: #/train, #/runs, #/runs/<id>,
 * #/replay[/<runId>[/<episode>]], #/play[/<runId>], #/tracks, #/data, #/sweeps[/<sweepId>] (in runId). The hash makes views linkable and survives reloads.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type ViewName = 'train' | 'runs' | 'replay' | 'play' | 'tracks' | 'data' | 'sweeps'
/** The views in the sidebar's order (their shortcuts number them from 1). */
export const NAV_VIEWS: readonly ViewName[] = ['train', 'runs', 'replay', 'play', 'tracks', 'data', 'sweeps']

export interface Route {
  view: ViewName
  runId: number | null
  episode: number | null
}

export function parseHash(hash: string): Route {
  // A query after the path (`#/runs?compare=3,5`) is the view's own state (lib/compare-link.ts).
  const parts = hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean)
  const num = (s: string | undefined): number | null => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null)
  const view: ViewName = parts[0] === 'runs' || parts[0] === 'replay' || parts[0] === 'play' || parts[0] === 'tracks' || parts[0] === 'data' || parts[0] === 'sweeps' ? parts[0] : 'train'
  return { view, runId: num(parts[1]), episode: num(parts[2]) }
}

export function routeHash(r: Partial<Route> & { view: ViewName }): string {
  let h = `#/${r.view}`
  if (r.runId != null) {
    h += `/${r.runId}`
    if (r.episode != null) h += `/${r.episode}`
  }
  return h
}

/** What the Train view should start with when opened from elsewhere (e.g. the Data view's "Train a VAE on this file"). */
export interface TrainIntent {
  env: string
  /** A data file to train on (→ the train request's `data: {path}`). */
  dataPath?: string
  /** How a 3-D detector file is projected (→ `data.projection`). */
  projection?: import('../../../core/lartpc/event').Projection
}

export const useNavStore = defineStore('nav', () => {
  const route = ref<Route>(parseHash(location.hash))
  /** Set by openTrain; the Train form reads it (env is already selected by the caller). */
  const trainIntent = ref<TrainIntent | null>(null)
  /** Asked before the view changes (e.g. the track editor with unsaved work); false stays put. */
  let leaveGuard: ((to: Route) => boolean) | null = null
  const blocked = (to: Route): boolean => !!leaveGuard && to.view !== route.value.view && !leaveGuard(to)
  window.addEventListener('hashchange', () => {
    const to = parseHash(location.hash)
    if (blocked(to)) {
      history.replaceState(history.state, '', routeHash(route.value))
      return
    }
    route.value = to
  })

  /** Navigate; `replace` rewrites the current history entry (for automatic choices). */
  function go(r: Partial<Route> & { view: ViewName }, opts: { replace?: boolean } = {}): void {
    const h = routeHash(r)
    if (blocked(parseHash(h))) return
    if (opts.replace) {
      history.replaceState(history.state, '', h)
      route.value = parseHash(h)
    } else if (location.hash !== h) location.hash = h
    else route.value = parseHash(h)
  }

  return {
    route,
    view: computed(() => route.value.view),
    go,
    openRun: (runId: number) => go({ view: 'runs', runId }),
    openReplay: (runId: number, episode?: number) => go({ view: 'replay', runId, episode: episode ?? null }),
    openPlay: (runId: number) => go({ view: 'play', runId }),
    trainIntent,
    openTrain: (intent: TrainIntent) => {
      trainIntent.value = { ...intent }
      go({ view: 'train' })
    },
    /** Installs (or with null removes) the guard asked before leaving the current view. */
    setLeaveGuard: (guard: ((to: Route) => boolean) | null) => {
      leaveGuard = guard
    },
  }
})
