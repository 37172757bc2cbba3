/**
 * Pixel Racer runs in the renderer: the newest policy of each racer run (kept
 * current by `run.policy` events while it trains, fetched with runs.policy
 * afterwards), the policies it kept at recorded episodes (training days), and the overlay switches (policy arrows, Q heatmap, shortest
 * path), remembered across sessions.
 */
import { defineStore } from 'pinia'
import { markRaw, reactive, ref, watch } from 'vue'
import type { Policy } from '../../../../shared/api'
import { api } from '../../api'

const KEY = 'quarkade.racer.overlay'

interface OverlayPrefs {
  arrows: boolean
  heatmap: boolean
  path: boolean
}

function loadPrefs(): OverlayPrefs {
  const d: OverlayPrefs = { arrows: true, heatmap: true, path: false }
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<OverlayPrefs>
    for (const k of Object.keys(d) as (keyof OverlayPrefs)[]) if (typeof raw[k] === 'boolean') d[k] = raw[k]
  } catch {
    /* ignore a corrupt entry */
  }
  return d
}

export const useRacerStore = defineStore('racer', () => {
  /** runId → newest policy (raw: q can be large). */
  const policies = reactive<Record<number, Policy>>({})
  const policyError = reactive<Record<number, string>>({})
  const prefs = loadPrefs()
  const arrows = ref(prefs.arrows)
  const heatmap = ref(prefs.heatmap)
  const path = ref(prefs.path)
  watch([arrows, heatmap, path], ([a, h, p]) => {
    try {
      localStorage.setItem(KEY, JSON.stringify({ arrows: a, heatmap: h, path: p }))
    } catch {
      /* storage disabled */
    }
  })

  function keep(p: Policy): void {
    const old = policies[p.runId]
    if (!old || old.episode <= p.episode) policies[p.runId] = markRaw(p)
  }

  api.subscribe((e) => {
    if (e.type === 'run.policy') keep(e.policy)
    else if (e.type === 'run.deleted') {
      delete policies[e.runId]
      delete keptEpisodes[e.runId]
    }
  })

  const inFlight = new Set<number>()
  /** Fetches a run's stored policy (once, unless `force`); live updates then arrive as events. */
  async function loadPolicy(runId: number, force = false): Promise<void> {
    if (inFlight.has(runId) || (!force && policies[runId])) return
    inFlight.add(runId)
    try {
      const p = await api.call('runs.policy', { id: runId })
      if (p) keep(p)
      delete policyError[runId]
    } catch (err) {
      policyError[runId] = (err as Error).message
    } finally {
      inFlight.delete(runId)
    }
  }

  /** runId → episodes after which the run kept its policy (training days); [] for runs from before they were kept. */
  const keptEpisodes = reactive<Record<number, number[]>>({})
  /** `${runId}:${episode}` → the policy kept after that episode (raw), or null where none was. */
  const keptPolicies = reactive<Record<string, Policy | null>>({})
  const keptErrors = reactive<Record<string, string>>({})
  const keptInFlight = new Set<string>()

  async function loadKeptEpisodes(runId: number): Promise<void> {
    try {
      keptEpisodes[runId] = await api.call('runs.policyEpisodes', { id: runId })
      delete keptErrors[runId]
    } catch (err) {
      keptErrors[runId] = (err as Error).message
    }
  }

  /** Fetches the policy a run kept after `episode` episodes, once. */
  async function loadKeptPolicy(runId: number, episode: number): Promise<void> {
    const key = `${runId}:${episode}`
    if (key in keptPolicies || keptInFlight.has(key)) return
    keptInFlight.add(key)
    try {
      const p = await api.call('runs.policyAt', { id: runId, episode })
      keptPolicies[key] = p ? markRaw(p) : null
      delete keptErrors[key]
    } catch (err) {
      keptErrors[key] = (err as Error).message
    } finally {
      keptInFlight.delete(key)
    }
  }

  return { policies, policyError, arrows, heatmap, path, loadPolicy, keptEpisodes, keptPolicies, keptErrors, loadKeptEpisodes, loadKeptPolicy }
})
