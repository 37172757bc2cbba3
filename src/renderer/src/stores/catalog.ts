/** The catalog of envs, algorithms and backends, fetched once from the services. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Catalog } from '../../../shared/api'
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

  const envLabel = (id: string): string => catalog.value?.envs.find((e) => e.id === id)?.label ?? id
  const algoLabel = (id: string): string => catalog.value?.algos.find((a) => a.id === id)?.label ?? id

  return {
    catalog,
    error,
    loading,
    load,
    envs: computed(() => catalog.value?.envs ?? []),
    algos: computed(() => catalog.value?.algos ?? []),
    backends: computed(() => catalog.value?.backends ?? []),
    envLabel,
    algoLabel,
  }
})
