/**
 * The LArTPC categorisation game in the renderer: the event drawn three times
 * (energy, truth, the agent's canvas) with the cursor's window; per-step
 * details (class probabilities, reward terms, the windows the agent sees);
 * the held-out results of a run. Its episodes read an event of the run's
 * detector file: `episodeAssets` fetches the one an episode needs through the
 * API (WorldInfo.dataNeeds) before it is re-simulated. Agents only: no keys.
 */
import { defineAsyncComponent } from 'vue'
import { findWorld } from '../../../../core/catalog'
import type { LartpcEnv } from '../../../../core/lartpc/env'
import type { EventSource } from '../../../../core/lartpc/event'
import { defaults } from '../../../../core/params'
import { api } from '../../api'
import { decodeEvent, type FetchedEvent } from '../../lib/detector'
import type { WorldView } from '../types'
import { lartpcSceneWorld } from './episode-world'

/** Event counts and fetched events, per file + projection (a replay, the live view and Play share them). */
const counts = new Map<string, Promise<number>>()
const events = new Map<string, Promise<FetchedEvent>>()
const MAX_CACHED_EVENTS = 32

function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>, max = Infinity): Promise<T> {
  let p = cache.get(key)
  if (!p) {
    p = load()
    p.catch(() => cache.delete(key))
    cache.set(key, p)
    while (cache.size > max) cache.delete(cache.keys().next().value!)
  }
  return p
}

export const view: WorldView = {
  family: 'lartpc',
  scene: async () => (await import('./scene')).createLartpcScene(),
  sceneWorld(env, states) {
    const e = env as unknown as LartpcEnv
    return e.event ? lartpcSceneWorld(e.event, e.rules.canvas, states) : undefined
  },
  async episodeAssets(run, seed) {
    const world = findWorld(run.env)
    const data = run.config.data
    if (!world?.dataNeeds || !data) throw new Error(`run “${run.env}” names no detector file to replay its events from`)
    const projection = data.projection ? { projection: data.projection } : {}
    const key = JSON.stringify([data.path, data.projection ?? null])
    try {
      const count = await remember(counts, key, async () => (await api.call('detector.open', { path: data.path, ...projection })).count)
      const params = { ...defaults(world.params), ...run.config.env_params }
      const needed = world.dataNeeds(params, seed, count)
      const fetched = new Map<number, FetchedEvent>()
      for (const index of needed) {
        fetched.set(index, await remember(events, `${key}#${index}`, async () => decodeEvent(await api.call('detector.event', { path: data.path, index, ...projection })), MAX_CACHED_EVENTS))
      }
      const source: EventSource = {
        count,
        event(i) {
          const ev = fetched.get(i)
          if (!ev) throw new Error(`event ${i} was not fetched for this episode`)
          return ev
        },
      }
      return { events: source }
    } catch (err) {
      throw new Error(`The run's detector data (${data.path}) cannot be read, so its episodes cannot be replayed: ${(err as Error).message}`)
    }
  },
  panels: {
    frame: defineAsyncComponent(() => import('./LartpcStepPanel.vue')),
    run: defineAsyncComponent(() => import('./LartpcResults.vue')),
  },
}
