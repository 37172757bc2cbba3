/**
 * Read access to HDF5 files through h5wasm (libhdf5 compiled to wasm, reading the host filesystem
 * lazily). Nothing here reads a whole large dataset: callers ask for slices, and a slice larger
 * than `maxSliceBytes` is refused (the wasm heap is 2 GiB at most, and a slice is copied once into
 * it and once out).
 *
 * Reads what h5py writes: contiguous and chunked layouts, gzip (deflate) with or without shuffle,
 * LZF (h5py's filter 32000, through the h5wasm-plugins LZF plugin), float32/float64 and integers,
 * either byte order.
 *
 * Before libhdf5 sees a file we check it ourselves (exists, HDF5 signature, not shorter than its
 * superblock says), so the common bad files get precise messages and never reach libhdf5's error
 * paths. Every problem is an H5FileError naming the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Dataset, Entity, File as H5wasmFile, Group, Metadata } from 'h5wasm'
import { ChunkCache, CorruptChunkError, DirectDataset, type FileAddressing } from './chunks'
import { H5FileError, hdf5Reason } from './errors'
import { captureHdf5, loadH5wasm, READABLE_FILTERS, type H5Lib } from './h5wasm'

export type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array

/** One range per dimension: [] = all, [start] = start to the end, [start, end) otherwise. */
export type SliceRange = readonly [] | readonly [number] | readonly [number, number]

export interface H5Filter {
  id: number
  name: string
  cdValues: number[]
}

export interface H5CompressionInfo {
  kind: 'none' | 'gzip' | 'lzf' | 'szip' | 'other'
  /** gzip level, when kind is gzip. */
  level?: number
  shuffle: boolean
  /** Every filter in the pipeline, in order. */
  filters: H5Filter[]
}

export interface H5DatasetInfo {
  path: string
  shape: number[]
  /** e.g. float32, float64, int64, uint8, string, compound. */
  dtype: string
  byteOrder: 'little' | 'big' | 'none'
  /** Bytes per element. */
  elementSize: number
  /** Chunk shape, or null for a contiguous (or compact) dataset. */
  chunks: number[] | null
  compression: H5CompressionInfo
}

export interface H5Node {
  name: string
  path: string
  kind: 'group' | 'dataset' | 'link' | 'datatype'
  /** Datasets only. */
  shape?: number[]
  dtype?: string
  chunks?: number[] | null
  compression?: H5CompressionInfo
  /** Small attribute values as JSON; large ones summarised. */
  attributes: Record<string, unknown>
  /** Groups only. */
  children?: H5Node[]
}

export interface SliceResult {
  data: TypedArray
  shape: number[]
  dtype: string
}

export interface OpenOptions {
  /** Largest slice one read may return, in bytes (default 512 MiB). */
  maxSliceBytes?: number
  /** Bytes of decoded chunks kept for reads of float datasets (default 64 MiB; 0 keeps none). */
  chunkCacheBytes?: number
}

const DEFAULT_MAX_SLICE = 512 * 1024 * 1024
export const DEFAULT_CHUNK_CACHE_BYTES = 64 * 1024 * 1024
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

let openCount = 0
/** How many H5Files are open in this process (for leak checks). */
export function openH5FileCount(): number {
  return openCount
}

function fmtBytes(n: number): string {
  if (n >= 1024 ** 4) return `${(n / 1024 ** 4).toFixed(1)} TiB`
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} bytes`
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`
}

/**
 * Checks a file before libhdf5 opens it: it exists, has an HDF5 signature (at 0, 512, 1024, …) and
 * is at least as long as its superblock's end-of-file address says. Throws H5FileError otherwise.
 */
export function checkHdf5File(file: string): { size: number; superblockAt: number; superblockVersion: number; storedEof: number | null; offsetSize: number; lengthSize: number; baseAddress: number } {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new H5FileError(file, 'not_found', code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`)
  }
  if (stat.isDirectory()) throw new H5FileError(file, 'not_found', 'is a directory, not an HDF5 file')
  const size = stat.size
  if (size === 0) throw new H5FileError(file, 'not_hdf5', 'is empty (0 bytes), not an HDF5 file')
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (e) {
    throw new H5FileError(file, 'not_found', `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  try {
    const head = Buffer.alloc(64)
    let at = -1
    for (let off = 0; off < size; off = off === 0 ? 512 : off * 2) {
      const n = fs.readSync(fd, head, 0, 8, off)
      if (n === 8 && head.subarray(0, 8).equals(SIGNATURE)) {
        at = off
        break
      }
    }
    if (at < 0) throw new H5FileError(file, 'not_hdf5', `is not an HDF5 file (no HDF5 signature; ${fmtBytes(size)})`)
    const n = fs.readSync(fd, head, 0, 64, at)
    const version = head[8]
    let offSize: number
    let lenSize: number
    let eofPos: number
    let basePos: number
    if (version === 0 || version === 1) {
      offSize = head[13]
      lenSize = head[14]
      basePos = version === 0 ? 24 : 28
      eofPos = basePos + 2 * offSize
    } else if (version === 2 || version === 3) {
      offSize = head[9]
      lenSize = head[10]
      basePos = 12
      eofPos = basePos + 2 * offSize
    } else {
      throw new H5FileError(file, 'unreadable', `has an HDF5 superblock of unknown version ${version}`)
    }
    if (![2, 4, 8].includes(offSize)) throw new H5FileError(file, 'unreadable', `has a corrupt HDF5 superblock (offset size ${offSize})`)
    if (n < eofPos + offSize) throw new H5FileError(file, 'truncated', `is truncated: it ends inside its HDF5 superblock (${fmtBytes(size)})`)
    const readAddr = (pos: number): number | null => {
      let v = 0n
      let allOnes = true
      for (let i = offSize - 1; i >= 0; i--) {
        v = (v << 8n) | BigInt(head[pos + i])
        if (head[pos + i] !== 0xff) allOnes = false
      }
      return allOnes ? null : Number(v)
    }
    const base = readAddr(basePos) ?? 0
    const eof = readAddr(eofPos)
    if (eof !== null && base + eof > size) {
      throw new H5FileError(file, 'truncated', `is truncated: it is ${size} bytes but its HDF5 superblock says ${base + eof} (${fmtBytes(base + eof - size)} missing)`)
    }
    return { size, superblockAt: at, superblockVersion: version, storedEof: eof === null ? null : base + eof, offsetSize: offSize, lengthSize: lenSize, baseAddress: base }
  } finally {
    fs.closeSync(fd)
  }
}

/** Opens an HDF5 file read-only. */
export async function openH5(file: string, opts: OpenOptions = {}): Promise<H5File> {
  const full = path.resolve(file)
  const { size, offsetSize, lengthSize, baseAddress } = checkHdf5File(full)
  const lib = await loadH5wasm()
  const r = captureHdf5(() => new lib.File(full, 'r'))
  if (!r.ok || r.value.file_id < 0n) {
    throw new H5FileError(full, 'unreadable', `HDF5 could not open it: ${hdf5Reason(r.diagnostics, r.ok ? undefined : r.error)}`)
  }
  const addressing: FileAddressing = { baseAddress, offsetSize, lengthSize, fileBytes: size }
  return new H5File(full, r.value, lib, opts.maxSliceBytes ?? DEFAULT_MAX_SLICE, size, new ChunkCache(opts.chunkCacheBytes ?? DEFAULT_CHUNK_CACHE_BYTES), addressing)
}

function dtypeOf(m: Metadata): { dtype: string; byteOrder: 'little' | 'big' | 'none' } {
  const byteOrder = m.size > 1 && (m.type === 0 || m.type === 1) ? (m.littleEndian ? 'little' : 'big') : 'none'
  let dtype: string
  switch (m.type) {
    case 0:
      dtype = `${m.signed ? 'int' : 'uint'}${m.size * 8}`
      break
    case 1:
      dtype = `float${m.size * 8}`
      break
    case 3:
      dtype = 'string'
      break
    case 6:
      dtype = 'compound'
      break
    case 8:
      dtype = 'enum'
      break
    case 9:
      dtype = 'vlen'
      break
    case 10:
      dtype = 'array'
      break
    case 7:
      dtype = 'reference'
      break
    default:
      dtype = 'other'
  }
  return { dtype, byteOrder }
}

function compressionOf(filters: { id: number; name: string; cd_values: number[] }[]): H5CompressionInfo {
  const list = filters.map((f) => ({ id: f.id, name: f.id === 32000 ? 'lzf' : f.name, cdValues: [...(f.cd_values ?? [])] }))
  const shuffle = list.some((f) => f.id === 2)
  const gzip = list.find((f) => f.id === 1)
  if (gzip) return { kind: 'gzip', level: gzip.cdValues[0], shuffle, filters: list }
  if (list.some((f) => f.id === 32000)) return { kind: 'lzf', shuffle, filters: list }
  if (list.some((f) => f.id === 4)) return { kind: 'szip', shuffle, filters: list }
  if (list.some((f) => f.id !== 2 && f.id !== 3)) return { kind: 'other', shuffle, filters: list }
  return { kind: 'none', shuffle, filters: list }
}

const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
} as const

/** Filters that only rearrange or check bytes (shuffle, fletcher32): they expand nothing. */
const BYTE_FILTERS = new Set([2, 3])
/** Filters whose expansion is bounded: deflate (at most 1032:1) and LZF (less); rounded up. */
const BOUNDED_FILTERS = new Set([1, 32000])
const MAX_BOUNDED_EXPANSION = 1100

/**
 * Why a dataset claims more data than a file of `fileBytes` can hold, or null. Uncompressed data
 * is stored in the file byte for byte; gzip and LZF expand at most ~1000×. Data never written
 * (unallocated chunks read as fill values) fails this too: it is no data to browse or train on.
 * Other filters (zstd, bzip2, blosc) have no useful bound; their reads stay capped per read.
 */
export function storageProblem(info: H5DatasetInfo, fileBytes: number): string | null {
  const claimed = info.shape.reduce((a, b) => a * b, 1) * info.elementSize
  const ids = info.compression.filters.map((f) => f.id).filter((id) => !BYTE_FILTERS.has(id))
  const ratio = ids.length === 0 ? 1 : ids.every((id) => BOUNDED_FILTERS.has(id)) ? MAX_BOUNDED_EXPANSION : Infinity
  if (claimed <= fileBytes * ratio) return null
  const how = ratio === 1 ? 'it is stored uncompressed' : `${info.compression.kind} expands data at most ${ratio}×`
  return `${info.path} claims ${formatShape(info.shape)} ${info.dtype} (${fmtBytes(claimed)}) but the file is only ${fmtBytes(fileBytes)} and ${how}: the file is corrupt, crafted, or its data was never written`
}

/** Why a dataset's filters cannot be decoded, or null when they can. */
export function unreadableFilterProblem(info: H5DatasetInfo): string | null {
  const bad = info.compression.filters.filter((f) => !READABLE_FILTERS.has(f.id))
  if (!bad.length) return null
  return `${info.path} is compressed with ${bad.map((f) => `"${f.name}" (HDF5 filter ${f.id})`).join(', ')}, which Quarkade cannot decode (gzip, shuffle, LZF, szip, blosc, lz4, zstd, bzip2 can be)`
}

export class H5File {
  readonly path: string
  private f: H5wasmFile | null
  private readonly lib: H5Lib
  private readonly maxSliceBytes: number
  /** The file's size on disk when opened: no dataset holds more stored bytes than this. */
  readonly fileBytes: number
  private readonly infoCache = new Map<string, H5DatasetInfo>()
  /** Decoded chunks of the float datasets read with readRowsFloat32 (byte-bounded LRU). */
  readonly chunkCache: ChunkCache
  private readonly addressing: FileAddressing
  /** Datasets read directly (see chunks.ts); null: read through libhdf5. */
  private readonly direct = new Map<string, DirectDataset | null>()
  /** Our own read-only descriptor for direct reads, opened on first use. */
  private fd: number | null = null

  /** Use openH5. */
  constructor(file: string, f: H5wasmFile, lib: H5Lib, maxSliceBytes: number, fileBytes: number, chunkCache: ChunkCache, addressing: FileAddressing) {
    this.path = file
    this.f = f
    this.lib = lib
    this.maxSliceBytes = maxSliceBytes
    this.fileBytes = fileBytes
    this.chunkCache = chunkCache
    this.addressing = addressing
    openCount++
  }

  /** The direct reader of a float dataset, or null when it must be read through libhdf5. */
  private directDataset(info: H5DatasetInfo): DirectDataset | null {
    if (this.direct.has(info.path)) return this.direct.get(info.path)!
    const f = this.handle()
    const M = this.lib.Module as unknown as { SIZEOF_OBJ_REF: number; create_object_reference(file: bigint, path: string): ArrayLike<number> }
    let reader: DirectDataset | null = null
    // An object reference is the address of the object's header (8 bytes, little-endian).
    const ref = M.SIZEOF_OBJ_REF === 8 ? captureHdf5(() => M.create_object_reference(f.file_id, info.path)) : null
    if (ref?.ok && ref.value.length === 8) {
      const address = Number(Buffer.from(Array.from(ref.value)).readBigUInt64LE(0))
      try {
        this.fd ??= fs.openSync(this.path, 'r')
        const spec = { path: info.path, shape: info.shape, dtype: info.dtype, byteOrder: info.byteOrder, elementSize: info.elementSize, filterIds: info.compression.filters.map((x) => x.id) }
        reader = DirectDataset.open(this.fd, this.addressing, spec, address, this.chunkCache)
      } catch {
        reader = null // e.g. the file vanished: libhdf5's read says so
      }
    }
    this.direct.set(info.path, reader)
    return reader
  }

  get closed(): boolean {
    return this.f === null
  }

  private fail(code: ConstructorParameters<typeof H5FileError>[1], problem: string): never {
    throw new H5FileError(this.path, code, problem)
  }

  private handle(): H5wasmFile {
    if (!this.f) this.fail('closed', 'the file has been closed')
    return this.f
  }

  /** Runs a libhdf5 call; a failure becomes an H5FileError with libhdf5's reason. */
  private h5<T>(what: string, fn: () => T): T {
    const r = captureHdf5(fn)
    if (r.ok && !r.diagnostics.includes('HDF5-DIAG')) return r.value
    if (!r.ok && (r.error instanceof H5FileError || r.error instanceof RangeError)) throw r.error
    if (r.ok) return r.value // libhdf5 complained but the call recovered (e.g. an optional lookup)
    this.fail('unreadable', `HDF5 could not ${what}: ${hdf5Reason(r.diagnostics, r.error)}`)
  }

  /** The object at an absolute path ("/X_jets", "/group/data"), or null; never asks libhdf5 for a missing name. */
  private entity(objPath: string): Entity | null {
    const f = this.handle()
    const parts = objPath.split('/').filter(Boolean)
    let node: Entity | null = f
    for (const part of parts) {
      if (!(node instanceof this.lib.Group)) return null
      const g: Group = node
      if (!this.h5(`read "${objPath}"`, () => g.keys()).includes(part)) return null
      node = this.h5(`read "${objPath}"`, () => g.get(part))
    }
    return node
  }

  /** Whether a dataset exists at this path. */
  hasDataset(objPath: string): boolean {
    return this.entity(objPath) instanceof this.lib.Dataset
  }

  private dataset(objPath: string): Dataset {
    const e = this.entity(objPath)
    if (!(e instanceof this.lib.Dataset)) this.fail('missing_dataset', `has no dataset "${objPath}"`)
    return e
  }

  /** Shape, dtype, chunking and compression of one dataset. */
  info(objPath: string): H5DatasetInfo {
    const key = '/' + objPath.split('/').filter(Boolean).join('/')
    const cached = this.infoCache.get(key)
    if (cached) return cached
    const ds = this.dataset(key)
    const info: H5DatasetInfo = this.h5(`read "${key}"`, () => {
      const m = ds.metadata
      return {
        path: key,
        shape: m.shape ?? [],
        ...dtypeOf(m),
        elementSize: m.size,
        chunks: m.chunks ?? null,
        compression: compressionOf(ds.filters as { id: number; name: string; cd_values: number[] }[]),
      }
    })
    this.infoCache.set(key, info)
    return info
  }

  /** The whole hierarchy: groups, datasets (shape, dtype, chunks, compression) and attributes. */
  tree(): H5Node {
    const f = this.handle()
    const walk = (g: Group, name: string, p: string, depth: number): H5Node => {
      const node: H5Node = { name, path: p, kind: 'group', attributes: this.attributes(g), children: [] }
      if (depth > 32) return node
      for (const key of this.h5(`list ${p}`, () => g.keys())) {
        const childPath = p === '/' ? `/${key}` : `${p}/${key}`
        const got = captureHdf5(() => g.get(key))
        const child: Entity | null = got.ok ? got.value : null
        if (child instanceof this.lib.Group) node.children!.push(walk(child, key, childPath, depth + 1))
        else if (child instanceof this.lib.Dataset) {
          const i = this.info(childPath)
          node.children!.push({ name: key, path: childPath, kind: 'dataset', shape: i.shape, dtype: i.dtype, chunks: i.chunks, compression: i.compression, attributes: this.attributes(child) })
        } else if (child instanceof this.lib.Datatype) node.children!.push({ name: key, path: childPath, kind: 'datatype', attributes: {} })
        else node.children!.push({ name: key, path: childPath, kind: 'link', attributes: {} })
      }
      return node
    }
    return walk(f, '/', '/', 0)
  }

  private attributes(obj: Group | Dataset): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    type Attr = { metadata: Metadata; shape: number[] | null; json_value: unknown }
    const got = captureHdf5(() => obj.attrs as unknown as Record<string, Attr>)
    if (!got.ok) return out
    for (const [name, a] of Object.entries(got.value)) {
      const v = captureHdf5(() => {
        const count = (a.shape ?? []).reduce((x, y) => x * y, 1)
        return count <= 64 ? a.json_value : `<${dtypeOf(a.metadata).dtype} array ${formatShape(a.shape ?? [])}>`
      })
      out[name] = v.ok ? v.value : '<unreadable>'
    }
    return out
  }

  /** The attributes of a group or dataset ('/' = the root group), small values as JSON. */
  attributesOf(objPath = '/'): Record<string, unknown> {
    const e = objPath === '/' ? this.handle() : this.entity(objPath)
    if (!(e instanceof this.lib.Group) && !(e instanceof this.lib.Dataset)) this.fail('missing_dataset', `has no group or dataset "${objPath}"`)
    return this.attributes(e)
  }

  /**
   * Entry `index` of a one-dimensional variable-length numeric dataset (h5py's vlen float arrays),
   * read alone: one hvl_t through a one-element hyperslab, never the whole dataset.
   */
  readVlenEntry(objPath: string, index: number): TypedArray {
    const info = this.info(objPath)
    if (info.dtype !== 'vlen' || info.shape.length !== 1) this.fail('unsupported_dtype', `${info.path} is ${info.dtype} ${formatShape(info.shape)}, expected a 1-D variable-length array`)
    if (!Number.isInteger(index) || index < 0 || index >= info.shape[0]) this.fail('bad_range', `entry ${index} is outside ${info.path} (${info.shape[0]} entries)`)
    this.checkFilters(info)
    const ds = this.dataset(info.path)
    const got = this.h5(`read entry ${index} of ${info.path}`, () => ds.slice([[index, index + 1]]) as unknown)
    const entry = Array.isArray(got) ? (got[0] as unknown) : null
    if (!ArrayBuffer.isView(entry) || entry instanceof DataView) this.fail('unsupported_dtype', `${info.path} holds variable-length entries that are not numeric arrays`)
    return entry as TypedArray
  }

  /** Validates ranges against a shape; returns [offset, count] per dimension. */
  private resolveRanges(info: H5DatasetInfo, ranges: readonly SliceRange[]): { offset: number[]; count: number[] } {
    const { shape } = info
    if (ranges.length > shape.length) this.fail('bad_range', `${info.path} has ${shape.length} dimensions, not ${ranges.length}`)
    const offset: number[] = []
    const count: number[] = []
    for (let d = 0; d < shape.length; d++) {
      const r = ranges[d] ?? []
      const start = r.length >= 1 ? r[0]! : 0
      const end = r.length >= 2 ? r[1]! : shape[d]
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > shape[d] || start >= end) {
        this.fail('bad_range', `slice [${start}:${end}] is outside dimension ${d} of ${info.path} (size ${shape[d]})`)
      }
      offset.push(start)
      count.push(end - start)
    }
    const bytes = count.reduce((a, b) => a * b, 1) * info.elementSize
    if (bytes > this.maxSliceBytes) {
      this.fail('bad_range', `reading ${info.path}[${offset.map((o, i) => `${o}:${o + count[i]}`).join(', ')}] needs ${fmtBytes(bytes)}, more than the ${fmtBytes(this.maxSliceBytes)} one read may use: read it in smaller slices`)
    }
    return { offset, count }
  }

  /** Before every read: filters we can decode, and a size the file can really hold. */
  private checkFilters(info: H5DatasetInfo): void {
    const problem = unreadableFilterProblem(info)
    if (problem) this.fail('unsupported_filter', problem)
    const size = storageProblem(info, this.fileBytes)
    if (size) this.fail('implausible_size', size)
  }

  /**
   * Reads a hyperslab: one range per dimension (missing trailing ranges mean "all"). Returns the
   * values in row-major order with the slice's shape.
   */
  readSlice(objPath: string, ranges: readonly SliceRange[] = []): SliceResult {
    const info = this.info(objPath)
    this.checkFilters(info)
    const { offset, count } = this.resolveRanges(info, ranges)
    const ctor = ARRAY_TYPES[info.dtype as keyof typeof ARRAY_TYPES]
    if (!ctor) this.fail('unsupported_dtype', `${info.path} has dtype ${info.dtype}; only numeric datasets can be sliced`)
    const bytes = this.readRaw(info, offset, count)
    const data = new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / info.elementSize) as TypedArray
    return { data, shape: count, dtype: info.dtype }
  }

  /**
   * Reads rows [start, start + rows) of a float dataset (all of every other dimension) straight into
   * a Float32Array, converting float64. Used for the training batches.
   */
  readRowsFloat32(objPath: string, start: number, rows: number, target: Float32Array, targetOffset = 0): void {
    const info = this.info(objPath)
    if (info.dtype !== 'float32' && info.dtype !== 'float64') this.fail('unsupported_dtype', `${info.path} has dtype ${info.dtype}, expected float32 or float64`)
    this.checkFilters(info)
    const ranges: SliceRange[] = [[start, start + rows]]
    const { offset, count } = this.resolveRanges(info, ranges)
    const n = count.reduce((a, b) => a * b, 1)
    if (targetOffset + n > target.length) throw new RangeError(`target has room for ${target.length - targetOffset} values, the rows hold ${n}`)
    const direct = this.directDataset(info)
    if (direct) {
      try {
        if (direct.readRows(start, rows, target, targetOffset)) return
      } catch (e) {
        if (e instanceof CorruptChunkError) this.fail('unreadable', `HDF5 could not read ${info.path}: ${e.message}`)
        throw e
      }
    }
    // Through libhdf5. Chunked by several whole events: read whole chunk rows and keep them in the
    // chunk cache, so single events of one chunk do not decode it again.
    const c0 = info.chunks?.[0] ?? 1
    if (direct || c0 <= 1 || !info.chunks!.every((c, d) => d === 0 || c === info.shape[d])) {
      this.readRowsThroughLibhdf5(info, offset, count, target, targetOffset)
      return
    }
    const rowValues = n / rows
    for (let b = Math.floor(start / c0); b * c0 < start + rows; b++) {
      const key = `${info.path}:${b}`
      let block = this.chunkCache.get(key)
      if (!block) {
        const count0 = Math.min(c0, info.shape[0] - b * c0)
        block = new Float32Array(count0 * rowValues)
        this.readRowsThroughLibhdf5(info, [b * c0, ...offset.slice(1)], [count0, ...count.slice(1)], block, 0)
        this.chunkCache.decoded++
        this.chunkCache.put(key, block)
      }
      const lo = Math.max(start, b * c0)
      const hi = Math.min(start + rows, (b + 1) * c0)
      target.set(block.subarray((lo - b * c0) * rowValues, (hi - b * c0) * rowValues), targetOffset + (lo - start) * rowValues)
    }
  }

  private readRowsThroughLibhdf5(info: H5DatasetInfo, offset: number[], count: number[], target: Float32Array, targetOffset: number): void {
    const n = count.reduce((a, b) => a * b, 1)
    this.readRaw(info, offset, count, (heap, ptr) => {
      if (info.dtype === 'float32') target.set(new Float32Array(heap.buffer, ptr, n), targetOffset)
      else {
        const src = new Float64Array(heap.buffer, ptr, n)
        for (let i = 0; i < n; i++) target[targetOffset + i] = src[i]
      }
    })
  }

  /** H5Dread of a hyperslab into the wasm heap; `consume` reads it there, else a copy is returned. */
  private readRaw(info: H5DatasetInfo, offset: number[], count: number[], consume?: (heap: Uint8Array, ptr: number) => void): Uint8Array {
    const f = this.handle()
    const M = this.lib.Module as unknown as {
      _malloc(n: number): number
      _free(p: number): void
      HEAPU8: Uint8Array
      get_dataset_data(file: bigint, path: string, count: bigint[], offset: bigint[], strides: bigint[], ptr: bigint): number
    }
    const nbytes = count.reduce((a, b) => a * b, 1) * info.elementSize
    const ptr = M._malloc(Math.max(nbytes, 1))
    if (!ptr) this.fail('bad_range', `not enough memory to read ${fmtBytes(nbytes)} of ${info.path} (the HDF5 heap is limited to 2 GiB)`)
    try {
      const r = captureHdf5(() => M.get_dataset_data(f.file_id, info.path, count.map(BigInt), offset.map(BigInt), count.map(() => 1n), BigInt(ptr)))
      if (!r.ok || r.value < 0) this.fail('unreadable', `HDF5 could not read ${info.path}: ${hdf5Reason(r.diagnostics, r.ok ? undefined : r.error)}`)
      const heap = M.HEAPU8 // re-read: the heap may have grown during the read
      if (consume) {
        consume(heap, ptr)
        return new Uint8Array(0)
      }
      return heap.slice(ptr, ptr + nbytes)
    } finally {
      M._free(ptr)
    }
  }

  /** Closes the file; safe to call twice. */
  close(): void {
    if (!this.f) return
    const f = this.f
    this.f = null
    openCount--
    this.chunkCache.clear()
    this.direct.clear()
    if (this.fd !== null) fs.closeSync(this.fd)
    this.fd = null
    captureHdf5(() => f.close())
  }
}
