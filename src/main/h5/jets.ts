/**
 * The quark–gluon jet-image schema (the CMS open-data file quark-gluon_data-set_n139306.hdf5):
 *   X_jets  (N, 125, 125, 3) float32, channels last (Track, ECAL, HCAL by default)
 *   m0, pt  (N,) jet mass and transverse momentum
 *   y       (N,) 0 = quark, 1 = gluon
 * and a reader for it that never loads X_jets whole: single events by slice (with a small cache
 * of chunk-aligned blocks, so a file chunked (32, 125, 125, 3) is not re-inflated for every
 * neighbouring event) and training batches streamed as contiguous, chunk-aligned reads.
 */
import { DEFAULT_CHANNEL_NAMES } from '../../core/jets/geometry'
import { deriveSeed, Rng } from '../../core/rng'
import { H5FileError, type H5ProblemCode } from './errors'
import { formatShape, openH5, storageProblem, unreadableFilterProblem, type H5DatasetInfo, type H5File, type OpenOptions } from './file'

export interface JetSchema {
  ok: true
  events: number
  channelsLast: true
  /** [height, width, channels] of one image. */
  imageShape: [number, number, number]
  datasets: { X_jets: string; m0: string; pt: string; y: string }
  dtypes: { X_jets: string; m0: string; pt: string; y: string }
  /** Things that are allowed but unusual (e.g. images that are not 125 × 125). */
  warnings: string[]
}

export interface JetSchemaProblem {
  ok: false
  code: H5ProblemCode
  problem: string
  error: H5FileError
}

const FLOATS = new Set(['float32', 'float64'])
/** Largest image (values per event) the jet view and the VAE take: 1024 × 1024 × 4. */
export const MAX_JET_IMAGE_VALUES = 1024 * 1024 * 4
const NUMERIC = new Set(['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'])

/** Finds the dataset called `name`: at the root, else the first one anywhere in the file. */
function findDataset(file: H5File, name: string, near?: string): string | null {
  if (near) {
    const dir = near.slice(0, near.lastIndexOf('/'))
    const p = `${dir}/${name}`
    if (file.hasDataset(p)) return p
  }
  if (file.hasDataset(`/${name}`)) return `/${name}`
  const stack = [file.tree()]
  while (stack.length) {
    const n = stack.pop()!
    if (n.kind === 'dataset' && n.name === name) return n.path
    if (n.children) stack.push(...n.children)
  }
  return null
}

/** Why `channels` names do not fit images of `imageChannels` channels, or null. */
export function channelCountProblem(imageChannels: number, channels: readonly string[] | null | undefined): string | null {
  if (!channels || channels.length === imageChannels) return null
  return `${channels.length} channel name${channels.length === 1 ? '' : 's'} given for images with ${imageChannels} channels`
}

/** Checks that a file has the jet schema; returns what it found or the first problem. */
export function detectJetSchema(file: H5File): JetSchema | JetSchemaProblem {
  const problem = (code: H5ProblemCode, text: string): JetSchemaProblem => {
    const error = new H5FileError(file.path, code, text)
    return { ok: false, code, problem: text, error }
  }
  const xPath = findDataset(file, 'X_jets')
  if (!xPath) {
    const names = (file.tree().children ?? []).map((c) => c.name)
    return problem('missing_dataset', `has no X_jets dataset (the jet images); it holds ${names.length ? names.join(', ') : 'nothing'}`)
  }
  const x = file.info(xPath)
  const s = x.shape
  if (s.length !== 4) {
    return problem('wrong_rank', `X_jets has shape ${formatShape(s)} (rank ${s.length}); expected rank 4: (events, 125, 125, 3)`)
  }
  const [n, h, w, c] = s
  if (c > 8 && s[1] <= 8) {
    return problem('channels_first', `X_jets is channels-first ${formatShape(s)}; expected channels-last (events, ${s[2]}, ${s[3]}, ${s[1]}) as in the CMS file — transpose it, e.g. numpy.moveaxis(x, 1, -1)`)
  }
  if (c > 8 || h < 8 || w < 8) {
    return problem('wrong_rank', `X_jets has shape ${formatShape(s)}; expected (events, height, width, channels) like (N, 125, 125, 3)`)
  }
  if (h * w * c > MAX_JET_IMAGE_VALUES) return problem('wrong_rank', `X_jets images are ${h} × ${w} × ${c}; at most ${MAX_JET_IMAGE_VALUES} values an image are supported`)
  if (!FLOATS.has(x.dtype)) return problem('unsupported_dtype', `X_jets has dtype ${x.dtype}; expected float32 (or float64)`)
  const filterProblem = unreadableFilterProblem(x)
  if (filterProblem) return problem('unsupported_filter', filterProblem)
  const datasets = { X_jets: xPath, m0: '', pt: '', y: '' }
  const dtypes = { X_jets: x.dtype, m0: '', pt: '', y: '' }
  const what = { m0: 'jet masses', pt: 'jet transverse momenta', y: 'quark/gluon labels' }
  for (const key of ['m0', 'pt', 'y'] as const) {
    const p = findDataset(file, key, xPath)
    if (!p) return problem('missing_dataset', `has X_jets but no ${key} dataset (the ${what[key]})`)
    const info: H5DatasetInfo = file.info(p)
    const len = info.shape.length === 1 || (info.shape.length === 2 && info.shape[1] === 1) ? info.shape[0] : -1
    if (len < 0) return problem('wrong_rank', `${key} has shape ${formatShape(info.shape)}; expected one value per event: (${n},)`)
    if (len !== n) return problem('length_mismatch', `${key} has ${len} values but X_jets has ${n} events`)
    if (!NUMERIC.has(info.dtype)) return problem('unsupported_dtype', `${key} has dtype ${info.dtype}; expected a number type (float32 in the CMS file)`)
    datasets[key] = p
    dtypes[key] = info.dtype
  }
  if (n === 0) return problem('length_mismatch', 'X_jets has no events')
  // Sizes last: a file with the wrong structure hears about its structure first.
  for (const p of Object.values(datasets)) {
    const size = storageProblem(file.info(p), file.fileBytes)
    if (size) return problem('implausible_size', size)
  }
  const warnings: string[] = []
  if (h !== 125 || w !== 125 || c !== 3) warnings.push(`images are ${h} × ${w} × ${c}, not the CMS 125 × 125 × 3`)
  return { ok: true, events: n, channelsLast: true, imageShape: [h, w, c], datasets, dtypes, warnings }
}

export interface JetEvent {
  /** height × width × channels, channels last. */
  image: Float32Array
  m0: number
  pt: number
  y: number
}

export interface JetBatch {
  /** size × height × width × channels (may be a view into a larger read buffer). */
  images: Float32Array
  m0: Float32Array
  pt: Float32Array
  y: Float32Array
  /** Event index of each row. */
  indices: Int32Array
  size: number
  shape: [number, number, number, number]
}

export interface BatchOptions {
  /** Event range [start, end) (default: all). */
  start?: number
  end?: number
  /** Shuffle (default false): the order of contiguous blocks, then events within a buffer of blocks. */
  shuffle?: boolean
  seed?: number
  /** Events held for shuffling (default max(2 × batch size, 512)). */
  bufferEvents?: number
  /** Drop the last, smaller batch (default false). */
  dropLast?: boolean
  /** Events per contiguous read, rounded up to whole chunks (default: see batches()). */
  blockEvents?: number
}

export interface JetDatasetOptions extends OpenOptions {
  /** Channel names for this file (a per-file setting); default Track, ECAL, HCAL. */
  channels?: readonly string[]
}

/** Events per block of m0 / pt / y read at once, and blocks kept (3 × 8 bytes × 65536 × 16 = 24 MiB). */
const SCALAR_BLOCK = 65536
const SCALAR_BLOCKS_CACHED = 16

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

/** A jet-image file opened for reading. Call close() when done. */
export class JetDataset {
  readonly file: H5File
  readonly schema: JetSchema
  readonly events: number
  readonly imageShape: [number, number, number]
  readonly channels: readonly string[]
  /** Values in one image. */
  readonly imageLength: number
  /** Rows per chunk of X_jets along the event axis (1 for a contiguous dataset). */
  readonly chunkRows: number
  /** Blocks of m0 / pt / y (SCALAR_BLOCK events each), least recently used first: never all of a huge file. */
  private readonly scalarCache = new Map<number, { m0: Float64Array; pt: Float64Array; y: Float64Array }>()

  private constructor(file: H5File, schema: JetSchema, opts: JetDatasetOptions) {
    this.file = file
    this.schema = schema
    this.events = schema.events
    this.imageShape = schema.imageShape
    this.imageLength = schema.imageShape.reduce((a, b) => a * b, 1)
    const channels = opts.channels ?? (schema.imageShape[2] === 3 ? DEFAULT_CHANNEL_NAMES : Array.from({ length: schema.imageShape[2] }, (_, i) => `channel ${i}`))
    const channelProblem = channelCountProblem(schema.imageShape[2], channels)
    if (channelProblem) throw new RangeError(channelProblem)
    this.channels = channels
    this.chunkRows = file.info(schema.datasets.X_jets).chunks?.[0] ?? 1
  }

  /** Opens a file and checks its schema; throws H5FileError (and leaves nothing open) if it is not a jet file. */
  static async open(path: string, opts: JetDatasetOptions = {}): Promise<JetDataset> {
    const file = await openH5(path, opts)
    try {
      const schema = detectJetSchema(file)
      if (!schema.ok) throw schema.error
      return new JetDataset(file, schema, opts)
    } catch (e) {
      file.close()
      throw e
    }
  }

  /** m0, pt and y of events [start, end), read as one slice each. */
  scalars(start: number, end: number): { m0: Float64Array; pt: Float64Array; y: Float64Array } {
    const read = (p: string): Float64Array => Float64Array.from(this.file.readSlice(p, [[start, end]]).data as ArrayLike<number>, Number)
    const d = this.schema.datasets
    return { m0: read(d.m0), pt: read(d.pt), y: read(d.y) }
  }

  /** The block of m0 / pt / y holding event i (cached; at most SCALAR_BLOCKS_CACHED blocks). */
  private scalarBlock(i: number): { m0: Float64Array; pt: Float64Array; y: Float64Array; first: number } {
    const b = Math.floor(i / SCALAR_BLOCK)
    let block = this.scalarCache.get(b)
    if (block) this.scalarCache.delete(b)
    else block = this.scalars(b * SCALAR_BLOCK, Math.min(this.events, (b + 1) * SCALAR_BLOCK))
    this.scalarCache.set(b, block)
    if (this.scalarCache.size > SCALAR_BLOCKS_CACHED) this.scalarCache.delete(this.scalarCache.keys().next().value!)
    return { ...block, first: b * SCALAR_BLOCK }
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.events) throw new H5FileError(this.file.path, 'bad_range', `event ${i} does not exist (the file has ${this.events} events)`)
  }

  /**
   * One event. Its image is read from the chunks that hold it; decoded chunks stay in the file's
   * chunk cache (OpenOptions.chunkCacheBytes), so the other events of a chunk are memory reads.
   */
  event(i: number): JetEvent {
    this.checkIndex(i)
    const image = new Float32Array(this.imageLength)
    try {
      this.file.readRowsFloat32(this.schema.datasets.X_jets, i, 1, image)
    } catch (e) {
      if (e instanceof H5FileError) throw new H5FileError(e.file, e.code, `${e.problem} (reading event ${i})`)
      throw e
    }
    const s = this.scalarBlock(i)
    return { image, m0: s.m0[i - s.first], pt: s.pt[i - s.first], y: s.y[i - s.first] }
  }

  /** Events [start, end) in one contiguous read. */
  range(start: number, end: number): JetBatch {
    this.checkIndex(start)
    if (end <= start || end > this.events) throw new H5FileError(this.file.path, 'bad_range', `event range [${start}, ${end}) is outside 0–${this.events}`)
    const n = end - start
    const images = new Float32Array(n * this.imageLength)
    this.file.readRowsFloat32(this.schema.datasets.X_jets, start, n, images)
    const idx = Int32Array.from({ length: n }, (_, k) => start + k)
    return this.batchFrom(images, idx)
  }

  private batchFrom(images: Float32Array, indices: Int32Array): JetBatch {
    const n = indices.length
    const m0 = new Float32Array(n)
    const pt = new Float32Array(n)
    const y = new Float32Array(n)
    for (let k = 0; k < n; k++) {
      const s = this.scalarBlock(indices[k])
      const j = indices[k] - s.first
      m0[k] = s.m0[j]
      pt[k] = s.pt[j]
      y[k] = s.y[j]
    }
    return { images, m0, pt, y, indices, size: n, shape: [n, ...this.imageShape] }
  }

  /**
   * Training batches. Reads are contiguous blocks aligned to the chunks of X_jets, so every chunk
   * is decompressed once per pass. With shuffle, the order of the blocks is shuffled and events
   * are shuffled within a buffer of blocks (no random single-event reads).
   */
  async *batches(batchSize: number, opts: BatchOptions = {}): AsyncGenerator<JetBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`)
    const start = opts.start ?? 0
    const end = opts.end ?? this.events
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.events || start > end) {
      throw new H5FileError(this.file.path, 'bad_range', `event range [${start}, ${end}) is outside 0–${this.events}`)
    }
    if (start === end) return
    const shuffle = opts.shuffle ?? false
    const L = this.imageLength
    const c0 = this.chunkRows
    const eventBytes = L * 4
    // Block size: whole chunks; when shuffling ~64 events (at least ~16 blocks to mix), otherwise
    // about a batch; never more than 256 MiB.
    // (Chunks of more than 256 MiB cannot be read whole: such files are read in smaller pieces.)
    const maxBlockEvents = Math.max(1, Math.floor((256 * 1024 * 1024) / eventBytes))
    const want = opts.blockEvents ?? (shuffle ? Math.min(64, Math.ceil((end - start) / 16)) : Math.max(batchSize, 64))
    const blockEvents = Math.min(maxBlockEvents, Math.max(1, Math.ceil(want / c0)) * c0)
    const blocks: [number, number][] = []
    for (let b = Math.floor(start / blockEvents) * blockEvents; b < end; b += blockEvents) {
      blocks.push([Math.max(b, start), Math.min(b + blockEvents, end)])
    }
    const rng = new Rng(deriveSeed(opts.seed ?? 0, 0x6a657473))
    if (shuffle) {
      for (let i = blocks.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1)
        ;[blocks[i], blocks[j]] = [blocks[j], blocks[i]]
      }
    }
    const bufferEvents = shuffle ? Math.max(opts.bufferEvents ?? Math.max(2 * batchSize, 512), batchSize) : batchSize
    // Pool of loaded events: (buffer, row, index) references into block buffers.
    let poolData: Float32Array[] = []
    let poolRefs: { buf: number; row: number; index: number }[] = []
    let next = 0
    while (next < blocks.length || poolRefs.length > 0) {
      // Fill.
      while (next < blocks.length && poolRefs.length < bufferEvents) {
        const [a, b] = blocks[next++]
        const data = new Float32Array((b - a) * L)
        this.file.readRowsFloat32(this.schema.datasets.X_jets, a, b - a, data)
        const bi = poolData.length
        poolData.push(data)
        for (let k = 0; k < b - a; k++) poolRefs.push({ buf: bi, row: k, index: a + k })
        await yieldToEventLoop()
      }
      const last = next >= blocks.length
      if (shuffle) {
        for (let i = poolRefs.length - 1; i > 0; i--) {
          const j = rng.int(0, i + 1)
          ;[poolRefs[i], poolRefs[j]] = [poolRefs[j], poolRefs[i]]
        }
      }
      let used = 0
      while (poolRefs.length - used >= batchSize || (last && poolRefs.length - used > 0 && !opts.dropLast)) {
        const n = Math.min(batchSize, poolRefs.length - used)
        const indices = new Int32Array(n)
        const first = poolRefs[used]
        let run = true // consecutive rows of one block: hand out a view, no copy
        for (let k = 0; k < n; k++) {
          const r = poolRefs[used + k]
          indices[k] = r.index
          if (r.buf !== first.buf || r.row !== first.row + k) run = false
        }
        let images: Float32Array
        if (run) images = poolData[first.buf].subarray(first.row * L, (first.row + n) * L)
        else {
          images = new Float32Array(n * L)
          for (let k = 0; k < n; k++) {
            const r = poolRefs[used + k]
            images.set(poolData[r.buf].subarray(r.row * L, (r.row + 1) * L), k * L)
          }
        }
        used += n
        yield this.batchFrom(images, indices)
      }
      if (last) break
      // Keep the leftover events (fewer than a batch) for the next round, in a compact buffer.
      const rest = poolRefs.slice(used)
      const carry = new Float32Array(rest.length * L)
      rest.forEach((r, k) => carry.set(poolData[r.buf].subarray(r.row * L, (r.row + 1) * L), k * L))
      poolData = [carry]
      poolRefs = rest.map((r, k) => ({ buf: 0, row: k, index: r.index }))
    }
  }

  /** Closes the file; safe to call twice. */
  close(): void {
    this.scalarCache.clear()
    this.file.close()
  }
}

/** Opens a jet file (see JetDataset). */
export function openJetDataset(path: string, opts: JetDatasetOptions = {}): Promise<JetDataset> {
  return JetDataset.open(path, opts)
}
