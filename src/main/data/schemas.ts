/**
 * Data schemas a world may read, recognised by detectors (H5Web-style: each
 * declares what it supports). A data-backed world names its schema
 * (WorldInfo.data.schema); the services check a file against it before a run
 * starts, and the trainer opens it as the run's data source. Jets today.
 */
import type { ImageSource } from '../../core/vae/data'
import type { H5File } from '../h5/file'
import path from 'node:path'
import { JetDataset, channelCountProblem, detectJetSchema } from '../h5/jets'

export interface OpenedImages {
  source: ImageSource
  channels: string[]
  imageShape: number[]
  close(): void
}

export type SchemaMatch = { ok: true } | { ok: false; problem: string }

export interface DataSchema {
  id: string
  /** Whether an open file holds this schema (with as many channels as `channels` names, when given), and if not, why (one line naming the file). */
  detect(file: H5File, channels?: readonly string[] | null): SchemaMatch
  /** Opens a file of this schema as a stream of images (training reads contiguous slices only). */
  openImages(path: string, channels: string[] | null): Promise<OpenedImages>
}

const jetsSchema: DataSchema = {
  id: 'jets',
  detect(file, channels) {
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

const schemas: Record<string, DataSchema> = { jets: jetsSchema }

/** Every schema's verdict on a file (the data browser shows them; runs check theirs). */
export function detectSchemas(file: H5File): Record<string, SchemaMatch> {
  return Object.fromEntries(Object.values(schemas).map((s) => [s.id, s.detect(file)]))
}

export function dataSchema(id: string): DataSchema {
  const s = schemas[id]
  if (!s) throw new Error(`no reader for data schema "${id}" (known: ${Object.keys(schemas).join(', ')})`)
  return s
}
