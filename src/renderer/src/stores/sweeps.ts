/**
 * Sweeps as the services report them: the list, kept current by `sweep.updated`
 * events, and the detail (runs, configurations) of the sweep someone has open,
 * fetched again when it changes. Each run's live progress comes from the runs
 * store (run.updated events), not from here.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import type { SweepRequest } from '../../../core/sweep'
import type { SweepDetail, SweepSummary } from '../../../shared/sweeps'
import { api } from '../api'

export const useSweepsStore = defineStore('sweeps', () => {
  const byId = reactive(new Map<number, SweepSummary>())
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const detail = shallowRef<SweepDetail | null>(null)
  const detailError = ref<string | null>(null)
  let openId: number | null = null
  let fetching = false
  let again = false
  let off: (() => void) | null = null

  async function refresh(): Promise<void> {
    try {
      const list = await api.call('sweeps.list', {})
      byId.clear()
      for (const s of list) byId.set(s.id, s)
      loaded.value = true
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Fetches the open sweep's detail; a change meanwhile fetches once more after. */
  async function fetchDetail(): Promise<void> {
    if (openId === null) return
    if (fetching) {
      again = true
      return
    }
    fetching = true
    const id = openId
    try {
      const d = await api.call('sweeps.get', { id })
      if (openId === id) {
        detail.value = d
        detailError.value = null
        byId.set(id, d.sweep)
      }
    } catch (e) {
      if (openId === id) detailError.value = (e as Error).message
    } finally {
      fetching = false
      if (again) {
        again = false
        void fetchDetail()
      }
    }
  }

  function open(id: number | null): void {
    if (openId === id) return
    openId = id
    detail.value = null
    detailError.value = null
    void fetchDetail()
  }

  function init(): void {
    if (off) return
    off = api.subscribe((e) => {
      if (e.type === 'sweep.updated') {
        byId.set(e.sweep.id, e.sweep)
        if (e.sweep.id === openId) void fetchDetail()
      } else if (e.type === 'run.updated' && openId !== null && detail.value?.runs.some((r) => r.runId === e.run.id && r.status === 'active') && e.run.status === 'completed') {
        // The final metric of a run that just completed (before the sweep's own event lands).
        void fetchDetail()
      }
    })
    api.onConnection((s) => {
      if (s === 'open') {
        void refresh()
        void fetchDetail()
      }
    })
    void refresh()
  }

  async function create(request: SweepRequest): Promise<SweepSummary> {
    const sweep = await api.call('sweeps.create', request)
    byId.set(sweep.id, sweep)
    return sweep
  }

  async function control(action: 'pause' | 'resume' | 'cancel' | 'resubmit', id: number): Promise<void> {
    const sweep = await api.call(`sweeps.${action}`, { id })
    byId.set(sweep.id, sweep)
    if (id === openId) void fetchDetail()
  }

  return {
    byId,
    list: () => [...byId.values()].sort((a, b) => b.id - a.id),
    loaded,
    error,
    detail,
    detailError,
    init,
    refresh,
    open,
    create,
    control,
  }
})
