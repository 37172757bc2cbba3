/** What the host is (desktop app or web) and what it can do, fetched once. */
import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { SystemInfo } from '../../../shared/api'
import { api } from '../api'

export const useSystemStore = defineStore('system', () => {
  const info = shallowRef<SystemInfo | null>(null)
  let pending: Promise<SystemInfo> | null = null

  /** The host's info; fetched on first use (retried after a failure). */
  async function load(): Promise<SystemInfo> {
    if (info.value) return info.value
    pending ??= api.call('system.info', {}).finally(() => (pending = null))
    info.value = await pending
    return info.value
  }

  /** A native folder dialog (desktop app only); null when the user cancels. */
  async function pickFolder(title: string, purpose: 'open' | 'save'): Promise<string | null> {
    return (await api.call('system.pickFolder', { title, purpose })).path
  }

  return {
    info,
    load,
    pickFolder,
    /** True where system.pickFolder shows a native dialog; elsewhere the UI asks for a typed path. */
    nativeDialogs: computed(() => info.value?.nativeDialogs ?? false),
  }
})
