/**
 * All runs, kept current by service events; plus, for the runs someone is
 * looking at, their metric series and latest live episode.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref } from 'vue'
import type { ApiEvent, LiveEpisode, MetricPoint, RunSummary, TrainRequest } from '../../../shared/api'
import { api } from '../api'
import { MetricsBuffer, chartPointBudget } from '../lib/metrics'

type MetricsState = 'loading' | 'ready' | 'error'

export const useRunsStore = defineStore('runs', () => {
  const byId = reactive(new Map<number, RunSummary>())
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<string | null>(null)

  /** Metric buffers live outside reactivity; `metricsVersion[id]` ticks when one changes. */
  const buffers = new Map<number, MetricsBuffer>()
  const pendingPoints = new Map<number, MetricPoint[]>()
  const metricsVersion = reactive<Record<number, number>>({})
  const metricsState = reactive<Record<number, MetricsState>>({})
  const metricsError = reactive<Record<number, string>>({})
  const live = reactive<Record<number, LiveEpisode>>({})

  const list = computed(() => [...byId.values()].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id))

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const runs = await api.call('runs.list', {})
      const seen = new Set<number>()
      for (const r of runs) {
        byId.set(r.id, r)
        seen.add(r.id)
      }
      for (const id of [...byId.keys()]) if (!seen.has(id)) forget(id)
      loaded.value = true
      error.value = null
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loading.value = false
    }
  }

  function forget(id: number): void {
    byId.delete(id)
    buffers.delete(id)
    pendingPoints.delete(id)
    delete metricsVersion[id]
    delete metricsState[id]
    delete metricsError[id]
    delete live[id]
  }

  function bump(id: number): void {
    metricsVersion[id] = (metricsVersion[id] ?? 0) + 1
  }

  function onEvent(e: ApiEvent): void {
    switch (e.type) {
      case 'run.updated':
        byId.set(e.run.id, e.run)
        break
      case 'run.deleted':
        forget(e.runId)
        break
      case 'run.metrics': {
        const pend = pendingPoints.get(e.runId)
        if (pend) pend.push(...e.points)
        const buf = buffers.get(e.runId)
        if (buf && metricsState[e.runId] === 'ready') {
          buf.add(e.points)
          bump(e.runId)
        }
        break
      }
      case 'run.live':
        live[e.runId] = markRaw(e.episode)
        break
    }
  }

  /** Loads a run's metric history once and keeps it current from events. */
  async function watchMetrics(id: number, force = false): Promise<void> {
    if (!force && (metricsState[id] === 'ready' || metricsState[id] === 'loading')) return
    metricsState[id] = 'loading'
    pendingPoints.set(id, [])
    try {
      const points = await api.call('runs.metrics', { id, maxPoints: chartPointBudget() })
      const buf = new MetricsBuffer()
      buf.add(points)
      buf.add(pendingPoints.get(id) ?? [])
      buffers.set(id, buf)
      metricsState[id] = 'ready'
      delete metricsError[id]
    } catch (err) {
      metricsState[id] = 'error'
      metricsError[id] = (err as Error).message
    } finally {
      pendingPoints.delete(id)
      bump(id)
    }
  }

  function metrics(id: number): MetricsBuffer | undefined {
    return buffers.get(id)
  }

  async function start(req: TrainRequest): Promise<RunSummary> {
    const run = await api.call('runs.start', req)
    byId.set(run.id, run)
    void watchMetrics(run.id)
    return run
  }

  async function control(kind: 'pause' | 'resume' | 'stop', id: number): Promise<void> {
    const run = await api.call(`runs.${kind}`, { id })
    byId.set(run.id, run)
  }

  async function remove(id: number): Promise<void> {
    await api.call('runs.delete', { id })
    forget(id)
  }

  let started = false
  function init(): void {
    if (started) return
    started = true
    api.subscribe(onEvent)
    let wasClosed = false
    api.onConnection((state) => {
      if (state === 'closed') wasClosed = true
      if (state === 'open' && wasClosed) {
        wasClosed = false
        // Events may have been missed: resync the list and the watched series.
        void refresh()
        for (const id of Object.keys(metricsState)) void watchMetrics(Number(id), true)
      }
    })
    void refresh()
  }

  return {
    byId,
    list,
    loaded,
    loading,
    error,
    live,
    metricsVersion,
    metricsState,
    metricsError,
    init,
    refresh,
    watchMetrics,
    metrics,
    start,
    pause: (id: number) => control('pause', id),
    resume: (id: number) => control('resume', id),
    stop: (id: number) => control('stop', id),
    remove,
    get: (id: number | null | undefined) => (id == null ? undefined : byId.get(id)),
  }
})
