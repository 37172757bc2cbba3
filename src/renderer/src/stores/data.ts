/**
 * The Data view's state: the open HDF5 file (files.open's overview), the node
 * selected in its tree, recent files, the generated sample, files dropped on
 * the window, and a small cache of jet events for the jet view.
 *
 * A file that does not open leaves the previous one open and sets `openError`
 * (the service's own text, which names the file and the problem).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { listWorlds } from '../../../core/catalog'
import type { ApiOutput, DetectorOverview, FileOverview } from '../../../shared/api'
import type { Projection } from '../../../core/lartpc/event'
import { decodeEvent, type FetchedEvent } from '../lib/detector'
import { api } from '../api'
import { useCatalogStore } from './catalog'
import { useNavStore } from './nav'
import { useTrainStore } from './train'

export type RecentFile = ApiOutput<'files.recent'>[number]
export type JetEvent = ApiOutput<'jets.event'>
export type JetSummary = ApiOutput<'jets.summary'>

/** The world that learns from files of a data schema (its `data.schema`); its button shows only when the catalog has it. */
const worldReading = (schema: string): string | undefined => listWorlds().find((w) => w.data?.schema === schema)?.family
const jetsWorld = (): string | undefined => worldReading('jets')
const HDF5_EXTENSIONS = /\.(h5|hdf5|hdf|he5)$/i

const EVENT_CACHE = 96

/** Text for a file dropped where its path cannot be known (the web version, or an old desktop preload). */
export function noPathMessage(name: string, host: 'web' | 'electron'): string {
  return host === 'web'
    ? `“${name}” was dropped, but in the web version the browser does not tell Quarkade where a dropped file is. Type the path of the file on the machine running Quarkade instead.`
    : `“${name}” was dropped, but this build cannot see where dropped files are. Type its path instead.`
}

export const useDataStore = defineStore('data', () => {
  const overview = shallowRef<FileOverview | null>(null)
  /** The path box's text (kept while switching views). */
  const pathText = ref('')
  const opening = ref<string | null>(null)
  const openError = ref<string | null>(null)
  /** Why a dropped file could not be opened by path (web version). */
  const dropMessage = ref<string | null>(null)
  const recent = ref<RecentFile[]>([])
  const recentError = ref<string | null>(null)
  const recentLoaded = ref(false)
  const sampleBusy = ref(false)
  /** Path of the node selected in the tree. */
  const selected = ref('/')
  const tab = ref<'browse' | 'jets' | 'detector'>('browse')
  /** The open path as a LArTPC detector source (any of its three formats), or null when it is not one. */
  const detector = shallowRef<DetectorOverview | null>(null)
  /** Why the open HDF5 file is not a detector file (shown on its entry). */
  const detectorProblem = ref<string | null>(null)
  /** Counts successful opens (also of the file already open), so views can start afresh. */
  const openCount = ref(0)

  const jets = computed(() => overview.value?.jets ?? null)
  const jetsOk = computed(() => jets.value?.ok === true)
  const channels = computed<string[]>(() => (jets.value?.ok ? jets.value.channels : []))

  // The desktop app's File › Open (menu) sends the chosen file here.
  api.subscribe((e) => {
    if (e.type !== 'ui.openFile') return
    useNavStore().go({ view: 'data' })
    void open(e.path)
  })

  async function loadRecent(): Promise<void> {
    try {
      recent.value = await api.call('files.recent', {})
      recentError.value = null
    } catch (err) {
      recentError.value = (err as Error).message
    } finally {
      recentLoaded.value = true
    }
  }

  /** Opens a file by path; false (with `openError` set) if it does not open. */
  async function open(path: string): Promise<boolean> {
    const p = path.trim()
    openError.value = null
    dropMessage.value = null
    if (!p) {
      openError.value = 'Type the path of an HDF5 file (.h5 / .hdf5).'
      return false
    }
    opening.value = p
    try {
      // A path may be an HDF5 file (browsable; maybe jets, maybe detector events) or a folder of detector npz files.
      const [h5, det] = await Promise.allSettled([api.call('files.open', { path: p }), api.call('detector.open', { path: p })])
      if (h5.status === 'rejected' && det.status === 'rejected') {
        openError.value = ((HDF5_EXTENSIONS.test(p) ? h5.reason : det.reason) as Error).message
        return false
      }
      overview.value = h5.status === 'fulfilled' ? h5.value : null
      detector.value = det.status === 'fulfilled' ? det.value : null
      detectorProblem.value = det.status === 'rejected' ? (det.reason as Error).message : null
      pathText.value = overview.value?.path ?? detector.value!.path
      selected.value = '/'
      tab.value = detector.value ? 'detector' : overview.value?.jets.ok ? 'jets' : 'browse'
      eventCache.clear()
      detectorCache.clear()
      summary.value = null
      openCount.value++
      return true
    } catch (err) {
      openError.value = (err as Error).message
      return false
    } finally {
      opening.value = null
      void loadRecent()
    }
  }

  function close(): void {
    overview.value = null
    detector.value = null
    detectorCache.clear()
    openError.value = null
    selected.value = '/'
    eventCache.clear()
    summary.value = null
    void loadRecent()
  }

  async function forget(path: string): Promise<void> {
    try {
      await api.call('files.forget', { path })
      recent.value = recent.value.filter((r) => r.path !== path)
    } catch (err) {
      recentError.value = (err as Error).message
    }
  }

  /** Generates (once) a sample file in the data folder through `method` and opens it. */
  async function openSample(method: 'detector.sample' | 'jets.sample'): Promise<boolean> {
    sampleBusy.value = true
    openError.value = null
    try {
      const { path } = await api.call(method, {})
      return await open(path)
    } catch (err) {
      openError.value = (err as Error).message
      return false
    } finally {
      sampleBusy.value = false
    }
  }

  /** 200 generated LArTPC detector events. */
  const useDetectorSample = (): Promise<boolean> => openSample('detector.sample')
  /** The generated quark/gluon jet sample. */
  const useSample = (): Promise<boolean> => openSample('jets.sample')

  /**
   * A file dropped on the window: opened by its path where the host can tell
   * it (desktop app), otherwise a message saying to type the path.
   */
  async function openDropped(file: File): Promise<boolean> {
    const bridge = typeof window !== 'undefined' ? window.quarkade : undefined
    let path = ''
    if (bridge && typeof bridge.pathForFile === 'function') {
      try {
        path = bridge.pathForFile(file)
      } catch {
        path = ''
      }
    }
    if (!path) {
      openError.value = null
      dropMessage.value = noPathMessage(file.name, bridge ? 'electron' : 'web')
      return false
    }
    pathText.value = path
    return open(path)
  }

  async function setChannels(names: string[]): Promise<void> {
    const o = overview.value
    if (!o || !o.jets.ok) return
    await api.call('files.setChannels', { path: o.path, channels: names })
    overview.value = { ...o, jets: { ...o.jets, channels: [...names] } }
    for (const e of eventCache.values()) e.channels = [...names]
  }

  // ---- jet events ----
  const eventCache = new Map<number, JetEvent>()

  /** One event (cached: a page of thumbnails and the large view share them). */
  async function jetEvent(index: number): Promise<JetEvent> {
    const o = overview.value
    if (!o) throw new Error('no file is open')
    const hit = eventCache.get(index)
    if (hit) {
      eventCache.delete(index)
      eventCache.set(index, hit)
      return hit
    }
    const e = await api.call('jets.event', { path: o.path, index })
    if (overview.value?.path !== o.path) throw new Error(`${o.name} is no longer open`)
    eventCache.set(index, e)
    while (eventCache.size > EVENT_CACHE) eventCache.delete(eventCache.keys().next().value!)
    return e
  }

  // ---- detector events ----
  const detectorCache = new Map<number, FetchedEvent>()

  /** One detector event of the open source (cached, like jet events). */
  async function detectorEvent(index: number): Promise<FetchedEvent> {
    const d = detector.value
    if (!d) throw new Error('no detector file is open')
    const hit = detectorCache.get(index)
    if (hit) return hit
    const e = decodeEvent(await api.call('detector.event', { path: d.path, index, ...(d.projection ? { projection: d.projection } : {}) }))
    if (detector.value !== d) throw new Error(`${d.name} is no longer open`)
    detectorCache.set(index, e)
    while (detectorCache.size > EVENT_CACHE) detectorCache.delete(detectorCache.keys().next().value!)
    return e
  }

  /** Shows a 3-D file through another projection (plane, resolution, class mapping). */
  async function setProjection(projection: Projection): Promise<void> {
    const d = detector.value
    if (!d) return
    const next = await api.call('detector.open', { path: d.path, projection })
    detectorCache.clear()
    detector.value = next
  }

  const canTrainOnDetector = computed(() => {
    const env = worldReading('lartpc')
    return !!detector.value && !!env && !!catalog.world(env)
  })

  /** Opens the Train view with the LArTPC world chosen and this file (and its projection) as its data. */
  function trainOnDetector(): void {
    const d = detector.value
    const env = worldReading('lartpc')
    if (!d || !env || !canTrainOnDetector.value) return
    useTrainStore().selectEnv(env)
    useNavStore().openTrain({ env, dataPath: d.path, ...(d.projection ? { projection: d.projection } : {}) })
  }

  const summary = shallowRef<JetSummary | null>(null)
  const summaryError = ref<string | null>(null)
  async function loadSummary(bins = 40): Promise<void> {
    const o = overview.value
    if (!o || !o.jets.ok) return
    summaryError.value = null
    try {
      const s = await api.call('jets.summary', { path: o.path, bins })
      if (overview.value?.path === o.path) summary.value = s
    } catch (err) {
      summaryError.value = (err as Error).message
    }
  }

  // ---- Train a VAE on this file ----
  const catalog = useCatalogStore()
  /** Whether the catalog offers the jet-schema world (the VAE); the button is hidden until it does. */
  const canTrainOnFile = computed(() => {
    const env = jetsWorld()
    return jetsOk.value && !!env && !!catalog.world(env)
  })

  /** Opens the Train view with the jets env chosen and this file as its data (see nav.openTrain). */
  function trainOnFile(): void {
    const o = overview.value
    const env = jetsWorld()
    if (!o || !env || !canTrainOnFile.value) return
    useTrainStore().selectEnv(env)
    useNavStore().openTrain({ env, dataPath: o.path })
  }

  return {
    overview,
    pathText,
    opening,
    openError,
    dropMessage,
    recent,
    recentError,
    recentLoaded,
    sampleBusy,
    selected,
    tab,
    openCount,
    jets,
    jetsOk,
    channels,
    loadRecent,
    open,
    close,
    forget,
    useSample,
    useDetectorSample,
    openDropped,
    setChannels,
    jetEvent,
    summary,
    summaryError,
    loadSummary,
    canTrainOnFile,
    trainOnFile,
    detector,
    detectorProblem,
    detectorEvent,
    setProjection,
    canTrainOnDetector,
    trainOnDetector,
  }
})
