/**
 * Direct reads of float datasets, beside libhdf5: h5wasm opens a dataset anew for every read (so
 * libhdf5's chunk cache never survives between reads) and inflates gzip inside wasm, which made a
 * random event of a gzip file take ~2.5× as long as h5py (docs/benchmarks.md). h5wasm exposes no
 * chunk API (no H5Dget_chunk_info / H5Dread_chunk), but it does give an object's header address
 * (an object reference). From there this module reads the dataset's layout message and the v1
 * B-tree of its chunks itself, reads only the chunks a request needs with one pread each, decodes
 * them with Node's native zlib (plus shuffle and LZF from lzf.ts), and keeps decoded chunks in a
 * byte-bounded LRU so neighbouring events of one chunk are memory reads.
 *
 * Covered: what h5py writes by default and what our writer writes — object header v1 or v2,
 * layout message v3, contiguous or chunked with a v1 B-tree, little-endian float32/float64,
 * filters deflate / shuffle / LZF. Anything else (layout v4 indexes of libver='latest' files,
 * other filters, big-endian data, chunks never written, metadata that does not parse) returns
 * null from openDirectDataset and the caller reads through libhdf5 as before.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'
import { lzfDecompress, unshuffleBytes } from './lzf'

/** Addressing parameters from the superblock. */
export interface FileAddressing {
  baseAddress: number
  offsetSize: number
  lengthSize: number
  fileBytes: number
}

export interface DirectDatasetSpec {
  path: string
  shape: number[]
  dtype: string
  byteOrder: 'little' | 'big' | 'none'
  elementSize: number
  /** Filter ids in pipeline (write) order. */
  filterIds: number[]
}

/** A decoded chunk could not be produced: the message says why (no file name). */
export class CorruptChunkError extends Error {}

/** Byte-bounded LRU of decoded chunks, shared by the datasets of one file. */
export class ChunkCache {
  readonly maxBytes: number
  private readonly entries = new Map<string, Float32Array>()
  private used = 0
  /** Chunks decoded (cache misses) since the file was opened. */
  decoded = 0
  hits = 0

  constructor(maxBytes: number) {
    if (!(maxBytes >= 0)) throw new RangeError(`chunk cache size must be ≥ 0 bytes, got ${maxBytes}`)
    this.maxBytes = maxBytes
  }

  /** Bytes of decoded chunks held now (never more than maxBytes). */
  get bytes(): number {
    return this.used
  }

  get size(): number {
    return this.entries.size
  }

  get(key: string): Float32Array | undefined {
    const v = this.entries.get(key)
    if (v) {
      this.entries.delete(key) // re-insert: most recently used last
      this.entries.set(key, v)
      this.hits++
    }
    return v
  }

  /** Keeps a chunk unless it alone exceeds the bound; evicts least recently used chunks to fit. */
  put(key: string, value: Float32Array): void {
    if (value.byteLength > this.maxBytes || this.entries.has(key)) return
    while (this.used + value.byteLength > this.maxBytes) {
      const oldest = this.entries.keys().next().value!
      this.used -= this.entries.get(oldest)!.byteLength
      this.entries.delete(oldest)
    }
    this.entries.set(key, value)
    this.used += value.byteLength
  }

  clear(): void {
    this.entries.clear()
    this.used = 0
  }
}

/** Metadata that does not parse as expected: the caller falls back to libhdf5. */
class Unsupported extends Error {}

const DECODABLE_FILTERS = new Set([1, 2, 32000])
const MAX_BTREE_DEPTH = 32
const MAX_HEADER_BLOCKS = 64
const NODES_CACHED = 1024

class Reader {
  constructor(
    private readonly fd: number,
    readonly a: FileAddressing,
  ) {}

  /** `n` bytes at relative address `addr`; throws Unsupported when outside the file. */
  bytes(addr: number, n: number): Buffer {
    const b = Buffer.allocUnsafe(n)
    this.bytesInto(addr, b)
    return b
  }

  /** Fills `out` with the bytes at relative address `addr`. */
  bytesInto(addr: number, out: Uint8Array): void {
    const at = this.a.baseAddress + addr
    const n = out.length
    if (!Number.isSafeInteger(at) || at + n > this.a.fileBytes) throw new Unsupported(`read of ${n} bytes at ${at} is outside the file`)
    if (fs.readSync(this.fd, out, 0, n, at) !== n) throw new Unsupported('short read')
  }

  uint(b: Buffer, pos: number, size: number): number {
    if (pos + size > b.length) throw new Unsupported('field past the end of its block')
    let v = 0
    let allOnes = true
    for (let i = size - 1; i >= 0; i--) {
      v = v * 256 + b[pos + i]
      if (b[pos + i] !== 0xff) allOnes = false
    }
    if (allOnes) return -1 // the undefined address
    if (!Number.isSafeInteger(v)) throw new Unsupported('address too large')
    return v
  }

  addr(b: Buffer, pos: number): number {
    return this.uint(b, pos, this.a.offsetSize)
  }

  len(b: Buffer, pos: number): number {
    return this.uint(b, pos, this.a.lengthSize)
  }
}

type Layout = { kind: 'contiguous'; address: number; size: number } | { kind: 'chunked'; btree: number; chunk: number[] }

/** The data layout message (type 8) of the object header at `addr`. */
function readLayout(r: Reader, addr: number): Layout {
  const messages: { type: number; data: Buffer }[] = []
  const head = r.bytes(addr, 16)
  const blocks: { at: number; size: number; v2: boolean }[] = []
  let v2 = false
  let flags = 0
  if (head.toString('latin1', 0, 4) === 'OHDR') {
    v2 = true
    if (head[4] !== 2) throw new Unsupported(`object header version ${head[4]}`)
    flags = head[5]
    let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0)
    const sizeBytes = 1 << (flags & 3)
    const hb = r.bytes(addr, pos + sizeBytes)
    const size = r.uint(hb, pos, sizeBytes)
    pos += sizeBytes
    blocks.push({ at: addr + pos, size, v2 })
  } else {
    if (head[0] !== 1) throw new Unsupported(`object header version ${head[0]}`)
    blocks.push({ at: addr + 16, size: head.readUInt32LE(8), v2 })
  }
  for (let k = 0; k < blocks.length; k++) {
    if (k >= MAX_HEADER_BLOCKS) throw new Unsupported('too many object header blocks')
    const blk = blocks[k]
    const b = r.bytes(blk.at, blk.size)
    let pos = 0
    if (v2 && k > 0) {
      if (b.toString('latin1', 0, 4) !== 'OCHK') throw new Unsupported('bad continuation block')
      pos = 4
    }
    const end = v2 ? (k > 0 ? b.length - 4 : b.length) : b.length
    const hdr = v2 ? 4 + (flags & 0x04 ? 2 : 0) : 8
    while (pos + hdr <= end) {
      const type = v2 ? b[pos] : b.readUInt16LE(pos)
      const size = v2 ? b.readUInt16LE(pos + 1) : b.readUInt16LE(pos + 2)
      pos += hdr
      if (pos + size > end) throw new Unsupported('message past the end of its block')
      const data = b.subarray(pos, pos + size)
      pos += size
      if (type === 0x10) {
        const at = r.addr(data, 0)
        const length = r.len(data, r.a.offsetSize)
        blocks.push({ at, size: length, v2 })
      } else messages.push({ type, data })
    }
  }
  const layout = messages.find((m) => m.type === 0x08)
  if (!layout) throw new Unsupported('no layout message')
  const d = layout.data
  if (d[0] !== 3) throw new Unsupported(`layout message version ${d[0]}`)
  if (d[1] === 1) return { kind: 'contiguous', address: r.addr(d, 2), size: r.len(d, 2 + r.a.offsetSize) }
  if (d[1] === 2) {
    const dims = d[2]
    const btree = r.addr(d, 3)
    const chunk: number[] = []
    for (let i = 0; i < dims; i++) chunk.push(d.readUInt32LE(3 + r.a.offsetSize + 4 * i))
    return { kind: 'chunked', btree, chunk: chunk.slice(0, -1) } // the last is the element size
  }
  throw new Unsupported(`layout class ${d[1]}`)
}

interface BtreeNode {
  level: number
  /** keys[i] = [chunk bytes, filter mask, ...element offsets]; children.length === keys.length - 1. */
  keys: number[][]
  children: number[]
}

/** One dataset read directly from the file. */
export class DirectDataset {
  private readonly nodes = new Map<number, BtreeNode>()
  private readonly chunkValues: number

  private constructor(
    private readonly r: Reader,
    private readonly spec: DirectDatasetSpec,
    private readonly layout: Layout,
    private readonly cache: ChunkCache,
  ) {
    this.chunkValues = layout.kind === 'chunked' ? layout.chunk.reduce((a, b) => a * b, 1) : 0
  }

  /** A direct reader for this dataset, or null when its layout or encoding is not one we decode. */
  static open(fd: number, a: FileAddressing, spec: DirectDatasetSpec, objectAddress: number, cache: ChunkCache): DirectDataset | null {
    if (spec.dtype !== 'float32' && spec.dtype !== 'float64') return null
    if (spec.byteOrder !== 'little' || !spec.filterIds.every((id) => DECODABLE_FILTERS.has(id))) return null
    const r = new Reader(fd, a)
    try {
      const layout = readLayout(r, objectAddress)
      if (layout.kind === 'contiguous') {
        const need = spec.shape.reduce((x, y) => x * y, 1) * spec.elementSize
        if (spec.filterIds.length || layout.address < 0 || layout.size < need) return null
      } else if (layout.chunk.length !== spec.shape.length || layout.chunk.some((c) => !(c >= 1)) || layout.btree < 0) return null
      return new DirectDataset(r, spec, layout, cache)
    } catch (e) {
      if (e instanceof Unsupported) return null
      throw e
    }
  }

  /** Chunk shape, or null for a contiguous dataset. */
  get chunk(): number[] | null {
    return this.layout.kind === 'chunked' ? this.layout.chunk : null
  }

  /**
   * Rows [start, start + rows) (all of every other dimension) into target as float32. Returns false
   * (having written nothing usable) when the file needs libhdf5 after all, e.g. an unwritten chunk.
   * Throws CorruptChunkError for chunk data that does not decode.
   */
  readRows(start: number, rows: number, target: Float32Array, targetOffset: number): boolean {
    const { shape, elementSize } = this.spec
    const rowValues = shape.slice(1).reduce((a, b) => a * b, 1)
    try {
      if (this.layout.kind === 'contiguous') {
        const at = this.layout.address + start * rowValues * elementSize
        const n = rows * rowValues * elementSize
        // float32: straight into the target, no intermediate buffer.
        if (elementSize === 4) this.r.bytesInto(at, new Uint8Array(target.buffer, target.byteOffset + targetOffset * 4, n))
        else toFloat32(this.r.bytes(at, n), elementSize, target, targetOffset)
        return true
      }
      const chunk = this.layout.chunk
      const rank = shape.length
      const grid = shape.map((s, d) => Math.ceil(s / chunk[d]))
      const first = Math.floor(start / chunk[0])
      const last = Math.floor((start + rows - 1) / chunk[0])
      const coords = new Array<number>(rank).fill(0)
      for (let c0 = first; c0 <= last; c0++) {
        coords[0] = c0
        // Every chunk of this chunk row: odometer over the other dimensions.
        for (;;) {
          const values = this.chunkAt(coords)
          if (!values) return false
          this.copyFromChunk(values, coords, start, rows, target, targetOffset)
          let d = rank - 1
          while (d >= 1 && ++coords[d] >= grid[d]) coords[d--] = 0
          if (d < 1) break
        }
      }
      return true
    } catch (e) {
      if (e instanceof Unsupported) return false
      throw e
    }
  }

  /** Copies the part of one decoded chunk that lies in rows [start, start + rows) into target. */
  private copyFromChunk(values: Float32Array, coords: number[], start: number, rows: number, target: Float32Array, targetOffset: number): void {
    const { shape } = this.spec
    const chunk = (this.layout as { chunk: number[] }).chunk
    const rank = shape.length
    const lo = coords.map((c, d) => c * chunk[d])
    const rowLo = Math.max(lo[0], start)
    const rowHi = Math.min(lo[0] + chunk[0], start + rows)
    const ext = lo.map((l, d) => Math.min(chunk[d], shape[d] - l)) // the part inside the dataset
    // Fast path: the chunk spans every other dimension, so its rows are the target's rows.
    if (ext.every((e, d) => d === 0 || (e === shape[d] && chunk[d] === shape[d]))) {
      const rowValues = this.chunkValues / chunk[0]
      target.set(values.subarray((rowLo - lo[0]) * rowValues, (rowHi - lo[0]) * rowValues), targetOffset + (rowLo - start) * rowValues)
      return
    }
    // General case: strided copy, innermost runs with set().
    const cStride = new Array<number>(rank)
    const tStride = new Array<number>(rank)
    cStride[rank - 1] = 1
    tStride[rank - 1] = 1
    for (let d = rank - 2; d >= 0; d--) {
      cStride[d] = cStride[d + 1] * chunk[d + 1]
      tStride[d] = tStride[d + 1] * shape[d + 1]
    }
    const run = ext[rank - 1]
    const idx = new Array<number>(rank).fill(0)
    idx[0] = rowLo - lo[0]
    const hi = ext.slice()
    hi[0] = rowHi - lo[0]
    for (;;) {
      let c = 0
      let t = targetOffset
      for (let d = 0; d < rank - 1; d++) {
        c += idx[d] * cStride[d]
        t += (d === 0 ? lo[0] + idx[0] - start : lo[d] + idx[d]) * tStride[d]
      }
      t += lo[rank - 1]
      if (run === 1) target[t] = values[c]
      else target.set(values.subarray(c, c + run), t)
      let d = rank - 2
      while (d >= 0 && ++idx[d] >= hi[d]) {
        idx[d] = d === 0 ? rowLo - lo[0] : 0
        d--
      }
      if (d < 0) break
    }
  }

  /** The decoded chunk at chunk-grid coordinates, from the cache or the file; null if never written. */
  private chunkAt(coords: number[]): Float32Array | null {
    const key = `${this.spec.path}:${coords.join(',')}`
    const hit = this.cache.get(key)
    if (hit) return hit
    const chunk = (this.layout as { chunk: number[] }).chunk
    const offsets = coords.map((c, d) => c * chunk[d])
    const entry = this.findChunk(offsets)
    if (!entry) return null
    const values = this.decode(entry, offsets)
    this.cache.decoded++
    this.cache.put(key, values)
    return values
  }

  private decode(entry: { address: number; size: number; mask: number }, offsets: number[]): Float32Array {
    const { elementSize, filterIds } = this.spec
    const expected = this.chunkValues * elementSize
    const where = `chunk (${offsets.join(', ')}) at byte ${entry.address}`
    let data: Uint8Array = this.r.bytes(entry.address, entry.size)
    for (let k = filterIds.length - 1; k >= 0; k--) {
      if (entry.mask & (1 << k)) continue // filter skipped for this chunk
      const id = filterIds[k]
      try {
        if (id === 1) data = zlib.inflateSync(data, { maxOutputLength: Math.max(expected, 1) })
        else if (id === 2) data = unshuffleBytes(data, elementSize)
        else if (id === 32000) data = lzfDecompress(data, expected)
      } catch (e) {
        const reason = ((e as Error).message || String(e)).split('\n')[0]
        throw new CorruptChunkError(`${where} is corrupt (${id === 1 ? 'gzip' : id === 32000 ? 'LZF' : 'shuffle'}: ${reason})`)
      }
    }
    if (data.length !== expected) throw new CorruptChunkError(`${where} is corrupt: it decodes to ${data.length} bytes, expected ${expected}`)
    if (elementSize === 4 && data.byteOffset % 4 === 0) return new Float32Array(data.buffer, data.byteOffset, this.chunkValues)
    const out = new Float32Array(this.chunkValues)
    toFloat32(data, elementSize, out, 0)
    return out
  }

  /** Address, stored size and filter mask of the chunk starting at these element offsets, or null. */
  private findChunk(offsets: number[]): { address: number; size: number; mask: number } | null {
    let addr = (this.layout as { btree: number }).btree
    for (let depth = 0; depth < MAX_BTREE_DEPTH; depth++) {
      const node = this.node(addr)
      // The child whose lower key is the last one ≤ offsets.
      let i = -1
      for (let k = 0; k < node.children.length; k++) {
        if (compareOffsets(node.keys[k], offsets) <= 0) i = k
        else break
      }
      if (i < 0) return null
      if (node.level === 0) {
        const key = node.keys[i]
        if (compareOffsets(key, offsets) !== 0) return null
        return { address: node.children[i], size: key[0], mask: key[1] }
      }
      addr = node.children[i]
    }
    throw new Unsupported('chunk B-tree too deep')
  }

  private node(addr: number): BtreeNode {
    const cached = this.nodes.get(addr)
    if (cached) return cached
    const { offsetSize } = this.r.a
    const rank = this.spec.shape.length
    const keySize = 8 + 8 * (rank + 1)
    const head = this.r.bytes(addr, 8 + 2 * offsetSize)
    if (head.toString('latin1', 0, 4) !== 'TREE' || head[4] !== 1) throw new Unsupported('not a chunk B-tree node')
    const level = head[5]
    const used = head.readUInt16LE(6)
    const b = this.r.bytes(addr + 8 + 2 * offsetSize, (used + 1) * keySize + used * offsetSize)
    const keys: number[][] = []
    const children: number[] = []
    let pos = 0
    for (let k = 0; k <= used; k++) {
      const key = [b.readUInt32LE(pos), b.readUInt32LE(pos + 4)]
      for (let d = 0; d < rank; d++) key.push(this.r.uint(b, pos + 8 + 8 * d, 8))
      keys.push(key)
      pos += keySize
      if (k < used) {
        children.push(this.r.addr(b, pos))
        pos += offsetSize
      }
    }
    const node = { level, keys, children }
    if (this.nodes.size >= NODES_CACHED) this.nodes.delete(this.nodes.keys().next().value!)
    this.nodes.set(addr, node)
    return node
  }
}

/** Compares a B-tree key's element offsets (key[2…]) with offsets, lexicographically. */
function compareOffsets(key: number[], offsets: number[]): number {
  for (let d = 0; d < offsets.length; d++) {
    const diff = key[2 + d] - offsets[d]
    if (diff !== 0) return diff
  }
  return 0
}

/** Little-endian float32/float64 bytes into target at targetOffset, as float32. */
function toFloat32(bytes: Uint8Array, elementSize: number, target: Float32Array, targetOffset: number): void {
  const n = bytes.length / elementSize
  if (elementSize === 4) {
    if (bytes.byteOffset % 4 === 0) target.set(new Float32Array(bytes.buffer, bytes.byteOffset, n), targetOffset)
    else new Uint8Array(target.buffer, target.byteOffset + targetOffset * 4, bytes.length).set(bytes)
  } else {
    const src = bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, n) : new Float64Array(bytes.slice().buffer)
    for (let i = 0; i < n; i++) target[targetOffset + i] = src[i]
  }
}
