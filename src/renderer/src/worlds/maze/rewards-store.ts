/**
 * The maze's saved reward functions in the renderer (rewards.* →
 * src/main/services/rewards.ts), and putting one into the Train form: a saved
 * reward becomes reward=custom and every weight in the form's world settings,
 * so the run records them and stays reproducible after the file is deleted.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { DEFAULT_WEIGHTS, REWARD_EVENTS, type RewardWeights } from '../../../../core/maze/rewards'
import type { SavedRewardInfo } from '../../../../shared/api'
import { api } from '../../api'
import { useTrainStore } from '../../stores/train'

export const useMazeRewardsStore = defineStore('mazeRewards', () => {
  const list = ref<SavedRewardInfo[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)
  /** The last deleted reward, so it can be put back. */
  const lastDeleted = ref<{ name: string; weights: Record<string, number> } | null>(null)

  async function load(): Promise<void> {
    try {
      list.value = await api.call('rewards.list', {})
      error.value = null
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loaded.value = true
    }
  }

  /** Saves; rejects with the service's one line (e.g. the name is taken and overwrite was not asked). */
  async function save(name: string, weights: Record<string, number>, overwrite: boolean): Promise<void> {
    await api.call('rewards.save', { name, weights, overwrite })
    await load()
  }

  async function remove(name: string): Promise<void> {
    const { reward } = await api.call('rewards.delete', { name })
    lastDeleted.value = reward
    await load()
  }

  async function undoDelete(): Promise<void> {
    const r = lastDeleted.value
    if (!r) return
    // Not over a reward saved under the same name since: that one would be lost.
    await api.call('rewards.save', { name: r.name, weights: r.weights, overwrite: false })
    lastDeleted.value = null
    await load()
  }

  /** The Train form's weights now (its text fields read as numbers; defaults where a field is not a number). */
  function formWeights(): RewardWeights {
    const train = useTrainStore()
    const out = { ...DEFAULT_WEIGHTS }
    for (const e of REWARD_EVENTS) {
      const v = Number(train.envParams[e.key])
      if (String(train.envParams[e.key] ?? '').trim() !== '' && Number.isFinite(v)) out[e.key] = v
    }
    return out
  }

  /** Sets the Train form to reward=custom with these weights (every one, so the run records them all). */
  function useInForm(weights: Partial<Record<string, number>>): void {
    const train = useTrainStore()
    train.envParams.reward = 'custom'
    for (const e of REWARD_EVENTS) train.envParams[e.key] = String(weights[e.key] ?? e.default)
  }

  return { list, loaded, error, lastDeleted, load, save, remove, undoDelete, formWeights, useInForm }
})
