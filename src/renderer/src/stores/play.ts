/**
 * Greedy play of a run's newest model (runs.play): the last result per run, so
 * it is still there when you come back to the Play view.
 */
import { defineStore } from 'pinia'
import { markRaw, reactive, ref } from 'vue'
import type { PlayResult } from '../../../shared/api'
import { api } from '../api'

export interface PlaySession {
  runId: number
  games: number
  seed: number
  result: PlayResult
}

export const usePlayStore = defineStore('play', () => {
  const byRun = reactive<Record<number, PlaySession>>({})
  const playing = ref<number | null>(null)
  const errors = reactive<Record<number, string>>({})

  async function play(runId: number, games: number, seed: number): Promise<void> {
    playing.value = runId
    delete errors[runId]
    try {
      const result = await api.call('runs.play', { id: runId, episodes: games, seed })
      byRun[runId] = markRaw({ runId, games, seed, result })
    } catch (err) {
      errors[runId] = (err as Error).message
    } finally {
      if (playing.value === runId) playing.value = null
    }
  }

  return { byRun, playing, errors, play }
})
