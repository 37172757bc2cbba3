/**
 * Greedy play of a run's newest model (runs.play), and of two runs' models
 * combined (runs.playCombined): the last result per run (per run A), so it is
 * still there when you come back to the Play view.
 */
import { defineStore } from 'pinia'
import { markRaw, reactive, ref } from 'vue'
import type { CombinedPlayResult, PlayResult } from '../../../shared/api'
import { api } from '../api'

export interface PlaySession {
  runId: number
  games: number
  seed: number
  result: PlayResult
}

export interface CombinedSession {
  a: number
  b: number
  atLeast: number
  games: number
  seed: number
  result: CombinedPlayResult
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

  /** Combined play, keyed by run A. */
  const combinedByRun = reactive<Record<number, CombinedSession>>({})
  const combining = ref<number | null>(null)
  const combineErrors = reactive<Record<number, string>>({})

  async function playCombined(a: number, b: number, atLeast: number, games: number, seed: number): Promise<void> {
    combining.value = a
    delete combineErrors[a]
    try {
      const result = await api.call('runs.playCombined', { a, b, atLeast, episodes: games, seed })
      combinedByRun[a] = markRaw({ a, b, atLeast, games, seed, result })
    } catch (err) {
      combineErrors[a] = (err as Error).message
    } finally {
      if (combining.value === a) combining.value = null
    }
  }

  return { byRun, playing, errors, play, combinedByRun, combining, combineErrors, playCombined }
})
