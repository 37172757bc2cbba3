/**
 * Data schemas a world may read, recognised by detectors (H5Web-style: each
 * declares what it supports). A data-backed world names its schema
 * (WorldInfo.data.schema); the services check a file against it before a run
 * starts, and the trainer opens it as the run's data source. Jets (HDF5 images for generative
 * models) and lartpc (detector events in any of three formats, one of them a folder).
 */
import type { EventSource, Projection } from '../../core/lartpc/event'
import type { ImageSource } from '../../core/vae/data'
import type { H5File } from '../h5/file'
import fs from 'node:fs'
import path from 'node:path'
import { JetDataset, channelCountProblem, detectJetSchema } from '../h5/jets'
import { detectDetectorH5, FORMAT_LABELS, openDetector } from './lartpc'
import { listNpzPairs, looksLikeNpzFolder, readNpzPair } from './lartpc/npz'

export interface OpenedImages {
  source: ImageSource
  channels: string[]
  imageShape: number[]
  close(): void
}

export type SchemaMatch = { ok: true } | { ok: false; problem: string }

export interface OpenedEvents {
  source: EventSource
  close(): void
}

export interface DataSchema {
  id: string
  /**
   * Whether the file or folder at `target` holds this schema (with as many channels as `channels`
   * names, when given), and if not, why (one line naming the file). `h5` is the open file when the
   * path is an HDF5 file, null otherwise (a folder, another kind of file).
   */
  detect(target: string, h5: H5File | null, channels?: readonly string[] | null): SchemaMatch
  /** Opens a file of this schema as a stream of images for generative models (training reads contiguous slices only). */
  openImages?(path: string, channels: string[] | null): Promise<OpenedImages>
  /** Opens a file or folder of this schema as detector events, read lazily (data-backed RL worlds). */
  openEvents?(path: string, projection?: Projection): Promise<OpenedEvents>
}

const jetsSchema: DataSchema = {
  id: 'jets',
  detect(target, file, channels) {
    if (!file) return { ok: false, problem: `${path.basename(target)}: not an HDF5 file (jet images are HDF5)` }
    const s = detectJetSchema(file)
    if (!s.ok) return { ok: false, problem: s.error.message }
    const channelProblem = channelCountProblem(s.imageShape[2], channels)
    return channelProblem ? { ok: false, problem: `${path.basename(file.path)}: ${channelProblem}` } : { ok: true }
  },
  async openImages(path, channels) {
    const ds = await JetDataset.open(path, { channels: channels ?? undefined })
    return {
      source: {
        size: ds.events,
        async batch(start, count) {
          const b = ds.range(start, start + count)
          return { images: b.images.slice(), y: b.y.slice() }
        },
      },
      channels: [...ds.channels],
      imageShape: [...ds.imageShape],
      close: () => ds.close(),
    }
  },
}

const lartpcSchema: DataSchema = {
  id: 'lartpc',
  detect(target, h5) {
    try {
      if (h5) {
        const found = detectDetectorH5(h5)
        return found.ok ? { ok: true } : { ok: false, problem: `${path.basename(target)}: ${found.problem}` }
      }
      if (!looksLikeNpzFolder(target)) return { ok: false, problem: `${path.basename(target)}: not a detector file (${Object.values(FORMAT_LABELS).join('; ')})` }
      // A folder: its pairs must match up and the first must read (cheap: one event).
      readNpzPair(listNpzPairs(target).pairs[0])
      return { ok: true }
    } catch (e) {
      return { ok: false, problem: e instanceof Error ? e.message : String(e) }
    }
  },
  async openEvents(target, projection) {
    const det = await openDetector(target, projection)
    return { source: det.source, close: () => det.close() }
  },
}

const schemas: Record<string, DataSchema> = { jets: jetsSchema, lartpc: lartpcSchema }

/** Every schema's verdict on a file or folder (the data browser shows them; runs check theirs). */
export function detectSchemas(target: string, h5: H5File | null): Record<string, SchemaMatch> {
  return Object.fromEntries(Object.values(schemas).map((s) => [s.id, s.detect(target, h5)]))
}

export function dataSchema(id: string): DataSchema {
  const s = schemas[id]
  if (!s) throw new Error(`no reader for data schema "${id}" (known: ${Object.keys(schemas).join(', ')})`)
  return s
}

/** Whether a run's data path is read as an HDF5 file (else it is a folder of files, e.g. npz pairs); a missing path counts as a file, so opening it says so. */
export function opensAsHdf5(target: string): boolean {
  const st = fs.statSync(target, { throwIfNoEntry: false })
  return !(st?.isDirectory() || looksLikeNpzFolder(target))
}
