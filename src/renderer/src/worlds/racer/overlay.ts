/**
 * The overlay a racer run's scene shows: its newest policy (live while it
 * trains) with the user's switches, and its track's shortest path. Undefined
 * while there is no run (the registry passes a racer run only).
 */
import { computed, watch } from 'vue'
import { shortestPath } from '../../../../core/racer/track'
import { FINAL_STATUSES, type RunSummary } from '../../../../shared/api'
import { trackOfRun, type RacerOverlay } from './racer'
import { useRacerStore } from './store'

export function useRacerOverlay(run: () => RunSummary | null | undefined) {
  const store = useRacerStore()
  const isRacer = computed(() => !!run())
  const runId = computed(() => (isRacer.value ? (run()?.id ?? null) : null))

  watch(runId, (id) => id !== null && void store.loadPolicy(id), { immediate: true })
  // The final sweep is stored when the run ends; fetch it in case its event was missed.
  watch(
    () => run()?.status,
    (status, before) => {
      if (runId.value !== null && status && before && status !== before && FINAL_STATUSES.includes(status)) void store.loadPolicy(runId.value, true)
    },
  )

  // Keyed by its text: run.updated events bring a new config object each time, the same track.
  const trackKey = computed(() => (isRacer.value ? JSON.stringify(run()?.config.track ?? null) : 'null'))
  const track = computed(() => trackOfRun({ config: { track: JSON.parse(trackKey.value) } as RunSummary['config'] }))
  const shortest = computed(() => (track.value ? shortestPath(track.value) : null))
  const policy = computed(() => (runId.value !== null ? (store.policies[runId.value] ?? null) : null))
  const overlay = computed<RacerOverlay | undefined>(() =>
    isRacer.value
      ? {
          policy: policy.value,
          arrows: store.arrows,
          heatmap: store.heatmap,
          path: store.path ? (shortest.value?.path ?? null) : null,
        }
      : undefined,
  )
  return { isRacer, track, shortest, policy, overlay }
}
