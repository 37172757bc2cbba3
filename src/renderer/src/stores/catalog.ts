/** The catalog of envs, algorithms and backends, fetched once from the services. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Catalog } from '../../../shared/api'
import type { WorldDescriptor } from '../../../core/catalog'
import { api } from '../api'

export const useCatalogStore = defineStore('catalog', () => {
  const catalog = shallowRef<Catalog | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)

  async function load(): Promise<void> {
    if (loading.value) return
    loading.value = true
    error.value = null
    try {
      catalog.value = await api.call('catalog.get', {})
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loading.value = false
    }
  }

  /**
   * The world a run or a form names: an exact versioned id (`catch-v1`, what runs record), or a
   * family name (`catch`, what the form picks and what runs stored before versions) — its version 1
   * for stored runs, the newest for the form (the catalog lists only the newest).
   */
  const world = (id: string): WorldDescriptor | undefined =>
    catalog.value?.envs.find((e) => e.id === id) ?? catalog.value?.envs.find((e) => e.family === id || e.family === id.replace(/-v\d+$/, ''))
  const envLabel = (id: string): string => world(id)?.label ?? id
  const algoLabel = (id: string): string => catalog.value?.algos.find((a) => a.id === id)?.label ?? id

  return {
    catalog,
    error,
    loading,
    load,
    envs: computed(() => catalog.value?.envs ?? []),
    algos: computed(() => catalog.value?.algos ?? []),
    backends: computed(() => catalog.value?.backends ?? []),
    world,
    envLabel,
    algoLabel,
  }
})
