/**
 * The VAE side of the renderer: the data file the Train form will train on
 * (checked with files.open: events, channels, or why it is not a jet file),
 * the results of VAE runs (runs.results, decoded once and refreshed on the
 * `run.results` event), and the runs picked for comparison in the Runs view.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref } from 'vue'
import type { ApiEvent } from '../../../shared/api'
import { api } from '../api'
import { parseVaeResults, type VaeResultsView } from '../lib/vae'
import { useRunsStore } from './runs'

export interface ResultsEntry {
  state: 'loading' | 'ready' | 'none' | 'error'
  data: VaeResultsView | null
  error: string | null
}

/** At most this many runs are compared side by side. */
export const MAX_COMPARE = 4

export const useVaeStore = defineStore('vae', () => {
  const runs = useRunsStore()

  // ---- results ----
  const results = reactive<Record<number, ResultsEntry>>({})

  async function loadResults(id: number, force = false): Promise<void> {
    const cur = results[id]
    if (!force && cur && (cur.state === 'loading' || cur.state === 'ready')) return
    if (!cur || cur.state !== 'ready') results[id] = { state: 'loading', data: cur?.data ?? null, error: null }
    try {
      const raw = await api.call('runs.results', { id })
      results[id] = raw ? { state: 'ready', data: markRaw(parseVaeResults(raw)), error: null } : { state: 'none', data: null, error: null }
    } catch (err) {
      results[id] = { state: 'error', data: null, error: (err as Error).message }
    }
  }

  // ---- comparison ----
  const compareIds = ref<number[]>([])
  const compareRuns = computed(() => compareIds.value.map((id) => runs.get(id)).filter((r) => r !== undefined))

  function toggleCompare(id: number): void {
    const i = compareIds.value.indexOf(id)
    if (i >= 0) compareIds.value = compareIds.value.filter((x) => x !== id)
    else if (compareIds.value.length < MAX_COMPARE) compareIds.value = [...compareIds.value, id]
  }

  function clearCompare(): void {
    compareIds.value = []
  }

  // ---- events ----
  let started = false
  function init(): void {
    if (started) return
    started = true
    api.subscribe((e: ApiEvent) => {
      if (e.type === 'run.results' && results[e.runId]) void loadResults(e.runId, true)
      else if (e.type === 'run.deleted') {
        delete results[e.runId]
        if (compareIds.value.includes(e.runId)) compareIds.value = compareIds.value.filter((x) => x !== e.runId)
      }
    })
    api.onConnection((state) => {
      // Back after a disconnect: anything may have finished meanwhile.
      if (state === 'open') for (const [id, r] of Object.entries(results)) if (r.state !== 'ready') void loadResults(Number(id), true)
    })
  }
  init()

  return { results, loadResults, compareIds, compareRuns, toggleCompare, clearCompare }
})
