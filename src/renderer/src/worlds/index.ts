/**
 * The renderer's world registry: every `./<family>/view.ts` is found at build
 * time, so a new world needs only its folder here (and its core registration).
 * Runs name versioned ids (`catch-v1`); views belong to the family the core
 * registry resolves the id to.
 */
import { computed, type ComputedRef, type Ref } from 'vue'
import { findWorld, listWorlds } from '../../../core/catalog'
import type { RunSummary } from '../../../shared/api'
import type { EnvAssets } from '../../../core/world'
import type { WorldView } from './types'

export type { HumanPlayView, WorldChart, WorldPanels, WorldView } from './types'
export type { Scene, SceneFrame } from './scene'

const modules = import.meta.glob<{ view: WorldView }>('./*/view.ts', { eager: true })

const views = new Map<string, WorldView>()
for (const [path, m] of Object.entries(modules)) {
  const folder = path.split('/')[1]
  if (m.view.family !== folder) throw new Error(`${path} declares the view of "${m.view.family}"; a world's view lives in its family's folder`)
  views.set(m.view.family, m.view)
}

/** Every world view, by family. */
export function listWorldViews(): WorldView[] {
  return [...views.values()]
}

/** The family a run's or a form's env id belongs to (`catch-v1` → `catch`; a bare family stays itself). */
export function familyOf(envId: string): string {
  return findWorld(envId)?.family ?? envId
}

/** The view of the world an env id names, or undefined (a data set, or a world with no view yet). */
export function worldView(envId: string | null | undefined): WorldView | undefined {
  return envId ? views.get(familyOf(envId)) : undefined
}

/** What re-simulating an episode of `run` needs besides seed and actions (nothing, for worlds without data). */
export async function episodeAssets(run: Pick<RunSummary, 'env' | 'config'>, seed: number): Promise<EnvAssets> {
  const load = worldView(run.env)?.episodeAssets
  return load ? load(run, seed) : {}
}

/** The world whose runs carry a track (Pixel Racer): the track editor trains on it. */
export function trackWorldFamily(): string | undefined {
  return listWorlds().find((w) => w.track)?.family
}

/**
 * The overlay a run's scene draws, whatever its world: each view that has one
 * sets it up once (for the run while it belongs to that view's family), and
 * the run's own view's overlay is passed on — undefined for worlds without.
 */
export function useSceneOverlay(run: () => RunSummary | null | undefined): ComputedRef<unknown> {
  const perView: { family: string; overlay: Readonly<Ref<unknown>> }[] = []
  for (const v of views.values()) {
    if (!v.useOverlay) continue
    const own = (): RunSummary | null => {
      const r = run()
      return r && familyOf(r.env) === v.family ? r : null
    }
    perView.push({ family: v.family, overlay: v.useOverlay(own) })
  }
  return computed(() => {
    const r = run()
    if (!r) return undefined
    const family = familyOf(r.env)
    return perView.find((p) => p.family === family)?.overlay.value
  })
}
