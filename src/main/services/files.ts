/**
 * Local HDF5 files for the data browser and jet view: open (and remember) a file,
 * its tree, 2-D slices of N-D datasets, histograms of 1-D datasets, single jet
 * events and the m0 / pT distributions by class. Every read is a slice — a file
 * much larger than memory browses like a small one. Handles stay open while
 * used and close after a minute idle.
 */
import { writeLartpcFile } from '../data/lartpc/quarkade'
import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_CHANNEL_NAMES } from '../../core/jets/geometry'
import { H5FileError } from '../h5/errors'
import { openH5, type H5File } from '../h5/file'
import { JetDataset, detectJetSchema } from '../h5/jets'
import { writeJetFile } from '../h5/write-jets'
import type { RunStore } from './run-store'
import type { FileOverview, RunConfig } from '../../shared/api'
import { findWorld } from '../../core/catalog'
import { dataSchema, detectSchemas, opensAsHdf5 } from '../data/schemas'
import { DetectorService } from './detector'

const IDLE_MS = 60_000
const MAX_OPEN = 4
const MAX_SLICE_CELLS = 2048 * 2048
/** Most values one histogram or jet summary reads (32 MiB as float64); more are sampled. */
export const MAX_SUMMARY_VALUES = 1 << 22
/** A sample is this many evenly spaced runs of contiguous values (chunk-friendly reads). */
const SAMPLE_RUNS = 64
const READ_BLOCK = 1 << 20

/**
 * The [start, end) ranges a summary of n values reads: all of them in blocks, or, past
 * `max`, SAMPLE_RUNS evenly spaced runs holding `max` values — bounded memory and time
 * whatever length a file claims.
 */
export function summaryRanges(n: number, max = MAX_SUMMARY_VALUES): [number, number][] {
  const out: [number, number][] = []
  if (n <= max) {
    for (let s = 0; s < n; s += READ_BLOCK) out.push([s, Math.min(n, s + READ_BLOCK)])
    return out
  }
  const run = Math.floor(max / SAMPLE_RUNS)
  for (let k = 0; k < SAMPLE_RUNS; k++) {
    const start = Math.floor((k * (n - run)) / (SAMPLE_RUNS - 1))
    out.push([start, start + run])
  }
  return out
}

export interface Histogram {
  edges: number[]
  counts: number[]
  min: number
  max: number
  count: number
  /** Values read when the dataset was too long to read whole (an evenly spaced sample). */
  sampled?: number
}

interface Open {
  file: H5File
  jets: JetDataset | null
  lastUsed: number
}

/** `keep` picks the values counted by index (one class of a jet file) without copying them out. */
function histogram(values: ArrayLike<number>, bins: number, logScale = false, edgesIn?: number[], keep?: (i: number) => boolean): Histogram {
  let min = Infinity
  let max = -Infinity
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v) || (logScale && v <= 0) || (keep && !keep(i))) continue
    if (v < min) min = v
    if (v > max) max = v
    count++
  }
  if (count === 0) return { edges: [], counts: [], min: NaN, max: NaN, count: 0 }
  let edges = edgesIn
  if (!edges) {
    const lo = logScale ? Math.log10(min) : min
    const hi = logScale ? Math.log10(max) : max
    const width = hi > lo ? (hi - lo) / bins : 1
    edges = Array.from({ length: bins + 1 }, (_, i) => (logScale ? 10 ** (lo + i * width) : lo + i * width))
  }
  const counts = new Array<number>(edges.length - 1).fill(0)
  const first = edges[0]
  const last = edges[edges.length - 1]
  const lg = logScale ? Math.log10 : (x: number): number => x
  const span = lg(last) - lg(first) || 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v) || (logScale && v <= 0) || v < first || v > last || (keep && !keep(i))) continue
    const b = Math.min(counts.length - 1, Math.floor(((lg(v) - lg(first)) / span) * counts.length))
    counts[b]++
  }
  return { edges, counts, min, max, count }
}

export class FileService {
  private readonly open = new Map<string, Open>()
  private readonly timer: NodeJS.Timeout
  /** LArTPC detector files and folders (their own formats, not only HDF5). */
  readonly detectors = new DetectorService()

  constructor(
    private readonly store: RunStore,
    private readonly samplesDir: string,
  ) {
    this.timer = setInterval(() => this.closeIdle(), IDLE_MS / 4)
    this.timer.unref()
  }

  private async get(file: string, withJets = false): Promise<Open> {
    const full = path.resolve(file)
    let entry = this.open.get(full)
    if (!entry) {
      if (this.open.size >= MAX_OPEN) {
        const oldest = [...this.open.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
        this.closeOne(oldest[0])
      }
      entry = { file: await openH5(full), jets: null, lastUsed: Date.now() }
      this.open.set(full, entry)
    }
    entry.lastUsed = Date.now()
    if (withJets && !entry.jets) entry.jets = await JetDataset.open(full, { channels: this.channels(full) ?? undefined })
    return entry
  }

  private closeOne(full: string): void {
    const e = this.open.get(full)
    if (!e) return
    e.jets?.close()
    e.file.close()
    this.open.delete(full)
  }

  private closeIdle(): void {
    const now = Date.now()
    for (const [p, e] of this.open) if (now - e.lastUsed > IDLE_MS) this.closeOne(p)
  }

  close(): void {
    clearInterval(this.timer)
    this.detectors.close()
    for (const p of [...this.open.keys()]) this.closeOne(p)
  }

  /** The channel names saved for a file (Data view), or null for the default. */
  channelsFor(file: string): string[] | null {
    return this.channels(path.resolve(file))
  }

  private channels(full: string): string[] | null {
    const row = this.store.db.prepare('SELECT channels FROM files WHERE path = ?').get(full) as { channels: string | null } | undefined
    return row?.channels ? (JSON.parse(row.channels) as string[]) : null
  }

  /** Opens a file: its tree and whether it is a jet file (and if not, why). Remembers it as recent. */
  async overview(file: string): Promise<FileOverview> {
    const full = path.resolve(file)
    const { file: h5 } = await this.get(full)
    const schema = detectJetSchema(h5)
    const channels = this.channels(full) ?? (schema.ok && schema.imageShape[2] === 3 ? [...DEFAULT_CHANNEL_NAMES] : null)
    const jets: FileOverview['jets'] = schema.ok
      ? {
          ok: true,
          events: schema.events,
          imageShape: schema.imageShape,
          channels: channels ?? Array.from({ length: schema.imageShape[2] }, (_, i) => `channel ${i}`),
          warnings: schema.warnings,
        }
      : { ok: false, problem: schema.error.message }
    this.store.db
      .prepare(
        `INSERT INTO files (path, opened_at, is_jets) VALUES (?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET opened_at = excluded.opened_at, is_jets = excluded.is_jets`,
      )
      .run(full, Date.now(), schema.ok ? 1 : 0)
    return { path: full, name: path.basename(full), bytes: fs.statSync(full).size, tree: h5.tree(), jets, schemas: detectSchemas(full, h5) }
  }

  /**
   * Before a data-backed run starts: throws, naming the file and the problem, unless the file
   * holds the world's data schema (with as many channels as the run names); fills in the file's
   * channel names.
   */
  async prepareRunData(config: RunConfig): Promise<void> {
    const schema = findWorld(config.env)?.data?.schema
    if (!config.data || !schema) return
    const full = path.resolve(config.data.path)
    const h5 = opensAsHdf5(full) ? (await this.overview(full), (await this.get(full)).file) : null
    const found = dataSchema(schema).detect(full, h5, config.data.channels)
    if (!found.ok) throw new Error(found.problem)
    if (h5) config.data.channels ??= this.channelsFor(config.data.path)
  }

  recent(): { path: string; name: string; openedAt: number; exists: boolean; jets: boolean }[] {
    const rows = this.store.db.prepare('SELECT path, opened_at, is_jets FROM files ORDER BY opened_at DESC LIMIT 20').all() as {
      path: string
      opened_at: number
      is_jets: number
    }[]
    return rows.map((r) => ({ path: r.path, name: path.basename(r.path), openedAt: r.opened_at, exists: fs.existsSync(r.path), jets: !!r.is_jets }))
  }

  forget(file: string): void {
    this.store.db.prepare('DELETE FROM files WHERE path = ?').run(path.resolve(file))
  }

  /** Channel names are a per-file setting (write-ups disagree on the CMS order). */
  setChannels(file: string, channels: string[]): void {
    const full = path.resolve(file)
    this.closeOne(full)
    this.store.db
      .prepare(`INSERT INTO files (path, opened_at, channels) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET channels = excluded.channels`)
      .run(full, Date.now(), JSON.stringify(channels))
  }

  /**
   * A 2-D slice: `index` has one entry per dimension — a number fixes that
   * dimension, null marks the (one or two) displayed axes.
   */
  async slice(file: string, dataset: string, index: (number | null)[]): Promise<{ shape: number[]; data: number[]; min: number; max: number; dtype: string }> {
    const { file: h5 } = await this.get(file)
    const info = h5.info(dataset)
    if (index.length !== info.shape.length) {
      throw new H5FileError(file, 'bad_range', `${dataset} has ${info.shape.length} dimensions; got ${index.length} indices`)
    }
    const free = index.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0)
    if (free.length < 1 || free.length > 2) throw new H5FileError(file, 'bad_range', 'choose one or two axes to display')
    index.forEach((v, i) => {
      if (v !== null && (!Number.isInteger(v) || v < 0 || v >= info.shape[i])) {
        throw new H5FileError(file, 'bad_range', `index ${v} is outside dimension ${i} of ${dataset} (size ${info.shape[i]})`)
      }
    })
    const cells = free.reduce((n, i) => n * info.shape[i], 1)
    if (cells > MAX_SLICE_CELLS) throw new H5FileError(file, 'bad_range', `a ${free.map((i) => info.shape[i]).join(' × ')} slice is too large to show`)
    const ranges = index.map((v) => (v === null ? ([] as const) : ([v, v + 1] as const)))
    const r = h5.readSlice(dataset, ranges)
    const data = Array.from(r.data as ArrayLike<number>, Number)
    let min = Infinity
    let max = -Infinity
    for (const v of data) {
      if (!Number.isFinite(v)) continue
      if (v < min) min = v
      if (v > max) max = v
    }
    return { shape: free.map((i) => info.shape[i]), data, min, max, dtype: info.dtype }
  }

  /** Histogram of a 1-D numeric dataset (read in blocks; a sample of MAX_SUMMARY_VALUES when longer). */
  async histogram(file: string, dataset: string, bins: number, logScale: boolean): Promise<Histogram> {
    const { file: h5 } = await this.get(file)
    const info = h5.info(dataset)
    if (info.shape.length !== 1) throw new H5FileError(file, 'wrong_rank', `${dataset} has shape (${info.shape.join(', ')}); histograms are for 1-D datasets`)
    const n = info.shape[0]
    const ranges = summaryRanges(n)
    const read = ranges.reduce((t, [a, b]) => t + b - a, 0)
    const values = new Float64Array(read)
    let at = 0
    for (const [a, b] of ranges) {
      const part = h5.readSlice(dataset, [[a, b]]).data as ArrayLike<number>
      for (let i = 0; i < part.length; i++) values[at + i] = Number(part[i])
      at += part.length
    }
    const h = histogram(values, bins, logScale)
    return read < n ? { ...h, sampled: read } : h
  }

  async jetEvent(file: string, index: number): Promise<{ index: number; image: number[]; shape: number[]; m0: number; pt: number; y: number; channels: string[] }> {
    const { jets } = await this.get(file, true)
    const ds = jets!
    if (!Number.isInteger(index) || index < 0 || index >= ds.events) {
      throw new H5FileError(file, 'bad_range', `event ${index} does not exist (the file has ${ds.events} events, 0–${ds.events - 1})`)
    }
    const e = ds.event(index)
    return { index, image: Array.from(e.image), shape: [...ds.imageShape], m0: e.m0, pt: e.pt, y: e.y, channels: [...ds.channels] }
  }

  /**
   * m0 and pT histograms split by class (quark y=0, gluon y=1), on shared bins. A file of more
   * than MAX_SUMMARY_VALUES events is summarised from an evenly spaced sample (`sampled` events;
   * the class counts are the sample's).
   */
  async jetSummary(file: string, bins: number): Promise<{
    events: number
    quarks: number
    gluons: number
    sampled?: number
    m0: { edges: number[]; quark: number[]; gluon: number[] }
    pt: { edges: number[]; quark: number[]; gluon: number[] }
  }> {
    const { jets } = await this.get(file, true)
    const ds = jets!
    const ranges = summaryRanges(ds.events)
    const read = ranges.reduce((t, [a, b]) => t + b - a, 0)
    const y = new Float64Array(read)
    const m0 = new Float64Array(read)
    const pt = new Float64Array(read)
    let at = 0
    for (const [a, b] of ranges) {
      const s = ds.scalars(a, b)
      y.set(s.y, at)
      m0.set(s.m0, at)
      pt.set(s.pt, at)
      at += b - a
    }
    const split = (values: Float64Array): { edges: number[]; quark: number[]; gluon: number[] } => {
      const all = histogram(values, bins)
      const pick = (label: number): number[] => histogram(values, bins, false, all.edges, (i) => y[i] === label).counts
      return { edges: all.edges, quark: pick(0), gluon: pick(1) }
    }
    const gluons = y.reduce((n, v) => n + (v === 1 ? 1 : 0), 0)
    return { events: ds.events, quarks: read - gluons, gluons, ...(read < ds.events ? { sampled: read } : {}), m0: split(m0), pt: split(pt) }
  }

  /** The generated sample offered on first run: made once, then reused. */
  async sample(events = 2000): Promise<string> {
    const file = path.join(this.samplesDir, `quark-gluon-sample-${events}.h5`)
    if (!fs.existsSync(file)) {
      fs.mkdirSync(this.samplesDir, { recursive: true })
      const tmp = `${file}.partial`
      await writeJetFile(tmp, { n: events, seed: 1, compression: 'gzip', chunkRows: 1 })
      fs.renameSync(tmp, file)
    }
    return file
  }

  /** Generated LArTPC detector events (Quarkade's 2-D schema), made once like the jet sample, for users without detector data. */
  async detectorSample(events = 200): Promise<string> {
    const file = path.join(this.samplesDir, `lartpc-sample-${events}.h5`)
    if (!fs.existsSync(file)) {
      fs.mkdirSync(this.samplesDir, { recursive: true })
      const tmp = `${file}.partial`
      await writeLartpcFile(tmp, { n: events, seed: 1 })
      fs.renameSync(tmp, file)
    }
    return file
  }
}
