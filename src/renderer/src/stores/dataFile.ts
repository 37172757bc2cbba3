/**
 * The Train form's data file check: the path is opened as the user types, by
 * the reader of the world's data schema (jets: an HDF5 jet file; lartpc: any
 * detector format), to show what it holds or why it cannot be trained on.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Projection } from '../../../core/lartpc/event'
import { api } from '../api'

export interface DataFileCheck {
  /** The path as typed (trimmed). */
  path: string
  schema: string
  state: 'checking' | 'ok' | 'bad' | 'error'
  name?: string
  events?: number
  /** Jets: channel names and image shape. */
  channels?: string[]
  imageShape?: number[]
  /** What the file is, in a few words ("PILArNet-M 3-D HDF5 · 256 × 256"). */
  summary?: string
  /** Detector files in 3-D: the projection the run will use. */
  projection?: Projection | null
  /** Why it cannot be trained on (not a jet file, does not open, …), in the services' words. */
  problem?: string
}

type Checked = Omit<DataFileCheck, 'path' | 'schema'>

/** How each data schema's files are checked. */
const checkers: Record<string, (path: string, projection: Projection | null) => Promise<Checked>> = {
  async jets(path) {
    const o = await api.call('files.open', { path })
    return o.jets.ok
      ? { state: 'ok', name: o.name, events: o.jets.events, channels: [...o.jets.channels], imageShape: [...o.jets.imageShape], summary: `${o.jets.imageShape.join(' × ')} · ${o.jets.channels.join(' · ')}` }
      : { state: 'bad', name: o.name, problem: o.jets.problem }
  },
  async lartpc(path, projection) {
    const d = await api.call('detector.open', { path, ...(projection ? { projection } : {}) })
    return { state: 'ok', name: d.name, events: d.count, summary: `${d.formatLabel} · ${d.width} × ${d.height}`, projection: d.projection }
  },
}

/** Generated samples per schema (made once in the data folder), for users with no file at hand. */
const samples: Record<string, { label: string; make: () => Promise<{ path: string }> }> = {
  jets: { label: 'Use a generated sample (2 000 quark/gluon jets)', make: () => api.call('jets.sample', {}) },
  lartpc: { label: 'Use generated detector events (200 LArTPC events)', make: () => api.call('detector.sample', {}) },
}

export function sampleFor(schema: string): { label: string; make: () => Promise<{ path: string }> } | undefined {
  return samples[schema]
}

export const useDataFileStore = defineStore('dataFile', () => {
  const check = ref<DataFileCheck | null>(null)
  let seq = 0

  /** Opens `path` with its schema's reader; the newest call wins. */
  async function checkDataFile(path: string, schema: string, projection: Projection | null = null): Promise<void> {
    const p = path.trim()
    const mine = ++seq
    if (!p) {
      check.value = null
      return
    }
    const c = check.value
    if (c?.path === p && c.schema === schema && c.state !== 'error' && JSON.stringify(c.projection ?? null) === JSON.stringify(projection)) return
    check.value = { path: p, schema, state: 'checking' }
    const checker = checkers[schema]
    try {
      if (!checker) throw new Error(`this version cannot read "${schema}" data files`)
      const result = await checker(p, projection)
      if (mine === seq) check.value = { path: p, schema, ...result }
    } catch (err) {
      if (mine === seq) check.value = { path: p, schema, state: 'error', problem: (err as Error).message }
    }
  }

  return { check, checkDataFile }
})
