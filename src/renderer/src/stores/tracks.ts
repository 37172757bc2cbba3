/**
 * The track library (tracks.list: the seed's built-ins plus the user's own),
 * kept current by `tracks.changed` events, the tracks themselves on demand,
 * and which track the Train form uses for the Pixel Racer.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, watch } from 'vue'
import { BUILTIN_TRACK_NAMES, builtinTrack, type BuiltinTrackName } from '../../../core/racer/builtin-tracks'
import { trackFromJSON, type Track, type TrackJson } from '../../../core/racer/track'
import type { TrackInfo } from '../../../shared/api'
import { api } from '../api'

const TRAIN_KEY = 'quarkade.train.racer.track'

export const isBuiltinTrack = (name: string): boolean => (BUILTIN_TRACK_NAMES as string[]).includes(name)

export const useTracksStore = defineStore('tracks', () => {
  const list = ref<TrackInfo[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<string | null>(null)
  /** name → track, for previews; user tracks are dropped whenever the library changes. */
  const cache = reactive(new Map<string, Track>())

  const builtins = computed(() => list.value.filter((t) => t.builtin))
  const mine = computed(() => list.value.filter((t) => !t.builtin))

  /** The track the Train form sends for racer runs (a library name). */
  const trainTrack = ref(localStorage.getItem(TRAIN_KEY) || 'track1')
  watch(trainTrack, (v) => {
    try {
      localStorage.setItem(TRAIN_KEY, v)
    } catch {
      /* storage disabled */
    }
  })

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      list.value = await api.call('tracks.list', {})
      loaded.value = true
      error.value = null
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loading.value = false
    }
  }

  api.subscribe((e) => {
    if (e.type !== 'tracks.changed') return
    for (const name of [...cache.keys()]) if (!isBuiltinTrack(name)) cache.delete(name)
    void refresh()
  })
  api.onConnection((s) => {
    if (s === 'open' && loaded.value) void refresh()
  })

  /** A library track (built-ins locally, the user's from the services). */
  async function get(name: string): Promise<Track> {
    const hit = cache.get(name)
    if (hit) return hit
    let t: Track
    if (isBuiltinTrack(name)) t = builtinTrack(name as BuiltinTrackName)
    else t = trackFromJSON(await api.call('tracks.get', { name }), { validate: false })
    t.name = name
    cache.set(name, markRaw(t))
    return t
  }

  /** Saves (validated by the services; throws their message). */
  async function save(json: TrackJson, overwrite = false): Promise<TrackInfo> {
    const info = await api.call('tracks.save', { track: json as unknown as Record<string, unknown>, overwrite })
    cache.delete(info.name)
    await refresh()
    return info
  }

  async function remove(name: string): Promise<void> {
    await api.call('tracks.delete', { name })
    cache.delete(name)
    if (trainTrack.value === name) trainTrack.value = 'track1'
    await refresh()
  }

  const info = (name: string): TrackInfo | undefined => list.value.find((t) => t.name === name)

  void refresh()

  return { list, builtins, mine, loaded, loading, error, trainTrack, refresh, get, save, remove, info, cache }
})
