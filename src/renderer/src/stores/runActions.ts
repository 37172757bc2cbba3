/**
 * What you can do with a run's model besides watching it: resume or train it
 * further (as the same run), export it to a folder, import one as a new run.
 * The dialogs these need are described here and drawn by RunDialogs.vue, so
 * a row of the runs table, a run's details and the Train view share them.
 */
import { findWorld, listWorlds } from '../../../core/catalog'
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { FINAL_STATUSES, type RunSummary } from '../../../shared/api'
import { api } from '../api'
import { downloadBlob, fileSlug } from '../lib/download'
import { modelZipParts } from '../lib/model-zip'
import { useNavStore } from './nav'
import { useRunsStore } from './runs'
import { useSystemStore } from './system'
import { useTrainStore } from './train'

export type RunDialog = { kind: 'train-more'; run: RunSummary } | { kind: 'export'; run: RunSummary } | { kind: 'import' }

/** Runs that hold a model (their checkpoints): finished ones, including imported. */
export function hasModel(run: RunSummary): boolean {
  return FINAL_STATUSES.includes(run.status)
}

/** stopped/failed → Resume; completed → Train more… (needs a new episode budget). */
export function canResume(run: RunSummary): boolean {
  return run.status === 'stopped' || run.status === 'failed'
}

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/'
  return dir.replace(/[\\/]+$/, '') + sep + name
}

export const useRunActionsStore = defineStore('runActions', () => {
  const runs = useRunsStore()
  const nav = useNavStore()
  const train = useTrainStore()
  const system = useSystemStore()

  const dialog = shallowRef<RunDialog | null>(null)
  const busy = ref(false)
  /** The last problem in the open dialog, in the services' words. */
  const error = ref<string | null>(null)
  /** Export: the folder typed or picked, and the files written. */
  const exportDir = ref('')
  const exported = ref<string[] | null>(null)
  /** Web mode: the model downloading to the browser — bytes so far of all, then the zip's name. */
  const downloading = ref<{ done: number; total: number; file: string | null } | null>(null)
  /** Train more: the new total episode budget, as typed. */
  const trainTotal = ref('')
  /** Import: the folder, env and name, and the run it made. */
  const importDir = ref('')
  const importEnv = ref('')
  const importName = ref('')
  const imported = shallowRef<RunSummary | null>(null)
  /** The run being resumed (for disabling its buttons). */
  const resuming = ref<number | null>(null)

  function close(): void {
    if (busy.value) return
    dialog.value = null
    error.value = null
  }

  /**
   * Continues a run as the same run — a paused one at once, a stopped, failed or
   * completed one from its last checkpoint (up to `episodes` in all) — then
   * follows it in the Train view. Resolves with the error text, or null.
   */
  async function resume(run: RunSummary, episodes?: number): Promise<string | null> {
    resuming.value = run.id
    try {
      const updated = await api.call('runs.resume', episodes === undefined ? { id: run.id } : { id: run.id, episodes })
      runs.byId.set(updated.id, updated)
      // The run was rewound to its checkpoint: reload its series so the curve continues from there.
      void runs.watchMetrics(updated.id, true)
      train.follow(updated.id)
      nav.go({ view: 'train' })
      return null
    } catch (err) {
      return (err as Error).message
    } finally {
      resuming.value = null
    }
  }

  function askTrainMore(run: RunSummary): void {
    error.value = null
    trainTotal.value = String(run.episodesDone + run.config.episodes)
    dialog.value = { kind: 'train-more', run }
  }

  /** Checks the typed budget; the error text, or null when it is fine. */
  function trainMoreProblem(run: RunSummary, text: string): string | null {
    const total = Number(text)
    if (text.trim() === '' || !Number.isInteger(total)) return 'episodes must be a whole number'
    if (total <= run.episodesDone) return `episodes must be more than the ${run.episodesDone.toLocaleString('en-US')} already done`
    if (total > 10_000_000) return 'episodes must be at most 10,000,000'
    return null
  }

  async function confirmTrainMore(): Promise<void> {
    const d = dialog.value
    if (d?.kind !== 'train-more') return
    const problem = trainMoreProblem(d.run, trainTotal.value)
    if (problem) {
      error.value = problem
      return
    }
    busy.value = true
    error.value = null
    const failed = await resume(d.run, Number(trainTotal.value))
    busy.value = false
    if (failed) error.value = failed
    else dialog.value = null
  }

  /** Export: a native folder dialog in the desktop app; in a browser, a zip downloaded to this computer. */
  async function askExport(run: RunSummary): Promise<void> {
    error.value = null
    exported.value = null
    exportDir.value = ''
    downloading.value = null
    dialog.value = { kind: 'export', run }
    if (api.transport === 'web') return downloadExport(run)
    let native = false
    try {
      const info = await system.load()
      native = info.nativeDialogs
      if (!exportDir.value) exportDir.value = joinPath(joinPath(info.dataDir, 'exports'), `${run.env}-run-${run.id}`)
    } catch {
      /* no info: ask for a typed path */
    }
    if (!native) return
    try {
      const picked = await system.pickFolder(`Export the model of run #${run.id} to…`, 'save')
      if (picked === null) {
        if (dialog.value?.kind === 'export') dialog.value = null
        return
      }
      exportDir.value = picked
      await confirmExport()
    } catch (err) {
      error.value = (err as Error).message
    }
  }

  /** Web mode: the newest model as `<world>-run-<id>-model.zip` (model.json + weights.bin), downloaded by the browser. */
  async function downloadExport(run: RunSummary): Promise<void> {
    busy.value = true
    downloading.value = { done: 0, total: 0, file: null }
    try {
      const zip = await modelZipParts(run.id, api.call, (done, total) => {
        if (downloading.value) downloading.value = { done, total, file: null }
      })
      const file = `${fileSlug(run.env)}-run-${run.id}-model.zip`
      downloadBlob(new Blob(zip.parts as BlobPart[], { type: 'application/zip' }), file)
      downloading.value = { done: zip.bytes, total: zip.bytes, file }
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      busy.value = false
    }
  }

  async function confirmExport(): Promise<void> {
    const d = dialog.value
    if (d?.kind !== 'export') return
    const dir = exportDir.value.trim()
    if (!dir) {
      error.value = 'choose a folder'
      return
    }
    busy.value = true
    error.value = null
    try {
      exported.value = (await api.call('runs.export', { id: d.run.id, dir })).files
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      busy.value = false
    }
  }

  function askImport(): void {
    error.value = null
    imported.value = null
    importName.value = ''
    if (!importEnv.value) importEnv.value = (runs.list[0] ? findWorld(runs.list[0].env)?.family : undefined) ?? listWorlds()[0].family
    dialog.value = { kind: 'import' }
    void system.load().catch(() => {})
  }

  /** The desktop app's folder dialog, for the import folder. */
  async function browseImport(): Promise<void> {
    try {
      const picked = await system.pickFolder('Choose a model folder (model.json + weights.bin)', 'open')
      if (picked !== null) importDir.value = picked
    } catch (err) {
      error.value = (err as Error).message
    }
  }

  async function confirmImport(): Promise<void> {
    const dir = importDir.value.trim()
    if (!dir) {
      error.value = 'choose a folder'
      return
    }
    busy.value = true
    error.value = null
    try {
      const name = importName.value.trim()
      const run = await api.call('models.import', { dir, env: importEnv.value, ...(name ? { name } : {}) })
      runs.byId.set(run.id, run)
      imported.value = run
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      busy.value = false
    }
  }

  function openImportedInPlay(): void {
    const run = imported.value
    dialog.value = null
    if (run) nav.openPlay(run.id)
  }

  return {
    dialog,
    busy,
    error,
    exportDir,
    exported,
    downloading,
    trainTotal,
    importDir,
    importEnv,
    importName,
    imported,
    resuming,
    close,
    resume,
    askTrainMore,
    trainMoreProblem,
    confirmTrainMore,
    askExport,
    confirmExport,
    askImport,
    browseImport,
    confirmImport,
    openImportedInPlay,
  }
})
