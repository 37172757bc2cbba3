/**
 * A run's episode rows (those with a replay are the recorded ones), loaded when
 * the run changes and again now and then while it records more.
 */
import { ref, watch } from 'vue'
import type { EpisodeRow, RunSummary } from '../../../shared/api'
import { api } from '../api'

export function useRunEpisodes(run: () => RunSummary) {
  const rows = ref<EpisodeRow[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      rows.value = await api.call('runs.episodes', { id: run().id })
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loading.value = false
    }
  }

  watch(
    () => {
      const r = run()
      return [r.id, Math.floor(r.episodesDone / Math.max(1, r.config.replay_every * 5)), r.status]
    },
    load,
    { immediate: true },
  )
  return { rows, loading, error }
}
