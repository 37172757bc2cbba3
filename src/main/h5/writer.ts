/**
 * A small streaming HDF5 writer that lays files out the way h5py does by default (libver
 * "earliest"): superblock v0, version-1 object headers, a symbol-table root group, contiguous or
 * chunked datasets with a version-1 B-tree chunk index, and the filter pipeline h5py writes:
 *   gzip   → shuffle (cd = [element size], when asked) + deflate (cd = [level]), flagged optional
 *   lzf    → filter 32000 "lzf" (cd = [4, 261, chunk bytes]); chunks that do not shrink are stored
 *            raw with the filter masked off, as libhdf5 does for an optional filter
 *   none   → no pipeline.
 *
 * Why not h5wasm for writing: its create_dataset sets one filter only (no shuffle + gzip), and it
 * needs the whole dataset in the 2 GiB wasm heap. This writer streams rows to disk (only one row of
 * chunks is held in memory), so it can write files of any size. Limits: datasets of float32 /
 * float64 / uint8, all in the root group (at most 8), shapes fixed when the file is created; root
 * attributes (strings, string lists, integers, floats) given when the file is created.
 *
 * The file is readable by libhdf5 (h5wasm, h5py) only after close().
 */
import fs from 'node:fs'
import os from 'node:os'
import zlib from 'node:zlib'
import { lzfCompress, shuffleBytes } from './lzf'

export type WriterDtype = 'float32' | 'float64' | 'uint8'
export type WriterCompression = 'none' | 'gzip' | 'lzf'

export interface DatasetSpec {
  name: string
  shape: readonly number[]
  dtype: WriterDtype
  /** Chunk shape (same rank as shape); omit or null for a contiguous dataset (then no compression). */
  chunks?: readonly number[] | null
  compression?: WriterCompression
  /** gzip level 0–9 (default 4, as h5py). */
  level?: number
  /** Shuffle before gzip (default false, as h5py; set it for h5py's `shuffle=True`). */
  shuffle?: boolean
}

const UNDEF = 0xffffffffffffffffn
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
const GROUP_LEAF_K = 4
const GROUP_INTERNAL_K = 16
const CHUNK_K = 32
const SUPERBLOCK_SIZE = 96
const GROUP_BTREE_SIZE = 24 + (2 * GROUP_INTERNAL_K + 1) * 8 + 2 * GROUP_INTERNAL_K * 8
const HEAP_HEADER_SIZE = 32
const SNOD_SIZE = 8 + 2 * GROUP_LEAF_K * 40

const pad8 = (n: number): number => (n + 7) & ~7

const ELEMENT_SIZE: Record<WriterDtype, number> = { float32: 4, float64: 8, uint8: 1 }
type WriterArray = Float32Array | Float64Array | Uint8Array
const ARRAY_OF: Record<WriterDtype, Float32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor> = { float32: Float32Array, float64: Float64Array, uint8: Uint8Array }

/** A root attribute: a string, a list of strings (fixed-length, null-padded), an integer (int32) or a float (float64). */
export type AttributeValue = string | readonly string[] | number

/** Little-endian byte buffer builder. */
class Bytes {
  private buf: Uint8Array
  private view: DataView
  length = 0
  constructor(size = 256) {
    this.buf = new Uint8Array(size)
    this.view = new DataView(this.buf.buffer)
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  u8(v: number): this {
    this.ensure(1)
    this.buf[this.length++] = v
    return this
  }
  u16(v: number): this {
    this.ensure(2)
    this.view.setUint16(this.length, v, true)
    this.length += 2
    return this
  }
  u32(v: number): this {
    this.ensure(4)
    this.view.setUint32(this.length, v >>> 0, true)
    this.length += 4
    return this
  }
  u64(v: number | bigint): this {
    this.ensure(8)
    this.view.setBigUint64(this.length, typeof v === 'bigint' ? v : BigInt(v), true)
    this.length += 8
    return this
  }
  bytes(b: ArrayLike<number>): this {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
    return this
  }
  zeros(n: number): this {
    this.ensure(n)
    this.buf.fill(0, this.length, this.length + n)
    this.length += n
    return this
  }
  padTo(multiple: number): this {
    const r = this.length % multiple
    return r ? this.zeros(multiple - r) : this
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}

interface ChunkEntry {
  /** Scaled chunk coordinates (chunk index per dimension). */
  scaled: number[]
  size: number
  mask: number
  addr: number
}

interface Message {
  type: number
  flags: number
  body: Uint8Array
}

function message(type: number, flags: number, body: Bytes): Message {
  return { type, flags, body: body.padTo(8).done() }
}

function headerBytes(messages: Message[]): Uint8Array {
  const size = messages.reduce((s, m) => s + 8 + m.body.length, 0)
  const b = new Bytes(16 + size)
  b.u8(1).u8(0).u16(messages.length).u32(1).u32(size).u32(0)
  for (const m of messages) b.u16(m.type).u16(m.body.length).u8(m.flags).zeros(3).bytes(m.body)
  return b.done()
}

function dataspaceMessage(shape: readonly number[]): Message {
  const b = new Bytes()
  b.u8(1).u8(shape.length).u8(1).u8(0).u32(0)
  for (const d of shape) b.u64(d)
  for (const d of shape) b.u64(d)
  return message(0x0001, 0, b)
}

function datatypeMessage(dtype: WriterDtype): Message {
  const b = new Bytes()
  if (dtype === 'uint8') {
    // Fixed-point class, little-endian, unsigned, 1 byte: offset 0, precision 8.
    b.u8(0x10).u8(0).u8(0).u8(0).u32(1).u16(0).u16(8)
    return message(0x0003, 1, b)
  }
  const f64 = dtype === 'float64'
  b.u8(0x11).u8(0x20).u8(f64 ? 63 : 31).u8(0).u32(f64 ? 8 : 4)
  b.u16(0).u16(f64 ? 64 : 32).u8(f64 ? 52 : 23).u8(f64 ? 11 : 8).u8(0).u8(f64 ? 52 : 23).u32(f64 ? 1023 : 127)
  return message(0x0003, 1, b)
}

function fillValueMessage(chunked: boolean): Message {
  // Version 2; allocation incremental (chunked) or late (contiguous); fill written on allocation
  // (chunked) or if set (contiguous); "defined" with size 0 = the default fill value (zeros).
  return message(0x0005, 1, new Bytes().u8(2).u8(chunked ? 3 : 2).u8(chunked ? 0 : 2).u8(1).u32(0))
}

/** Attribute message (version 1): name, datatype, scalar or 1-D dataspace, then the data. */
function attributeMessage(name: string, value: AttributeValue): Message {
  const enc = new TextEncoder()
  const nameBytes = enc.encode(name)
  const type = new Bytes()
  const space = new Bytes()
  const data = new Bytes()
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) {
      type.u8(0x10).u8(0x08).u8(0).u8(0).u32(4).u16(0).u16(32) // signed int32, little-endian
      data.u32(value)
    } else {
      type.u8(0x11).u8(0x20).u8(63).u8(0).u32(8).u16(0).u16(64).u8(52).u8(11).u8(0).u8(52).u32(1023)
      data.bytes(new Uint8Array(new Float64Array([value]).buffer))
    }
    space.u8(1).u8(0).u8(0).u8(0).u32(0) // scalar
  } else {
    const strings = (typeof value === 'string' ? [value] : value).map((v) => enc.encode(v))
    const size = Math.max(1, ...strings.map((v) => v.length))
    type.u8(0x13).u8(0x01 | 0x10).u8(0).u8(0).u32(size) // string, null-padded, UTF-8
    if (typeof value === 'string') space.u8(1).u8(0).u8(0).u8(0).u32(0)
    else space.u8(1).u8(1).u8(0).u8(0).u32(0).u64(strings.length)
    for (const v of strings) data.bytes(v).zeros(size - v.length)
  }
  const b = new Bytes()
  b.u8(1).u8(0).u16(nameBytes.length + 1).u16(type.length).u16(space.length)
  b.bytes(nameBytes).u8(0).padTo(8)
  b.bytes(type.done()).padTo(8)
  b.bytes(space.done()).padTo(8)
  b.bytes(data.done())
  if (b.length > 0xfff0) throw new RangeError(`attribute "${name}" is too large for an object header`)
  return message(0x000c, 0, b)
}

interface FilterDef {
  id: number
  name: string
  cd: number[]
}

function pipelineMessage(filters: FilterDef[]): Message {
  const b = new Bytes()
  b.u8(1).u8(filters.length).zeros(6)
  for (const f of filters) {
    const name = new TextEncoder().encode(f.name)
    const nameLen = pad8(name.length + 1)
    b.u16(f.id).u16(nameLen).u16(1).u16(f.cd.length)
    b.bytes(name).zeros(nameLen - name.length)
    for (const v of f.cd) b.u32(v)
    if (f.cd.length % 2) b.u32(0)
  }
  return message(0x000b, 1, b)
}

function chunkedLayoutMessage(btree: number | bigint, chunks: readonly number[], elementSize: number): Message {
  const b = new Bytes()
  b.u8(3).u8(2).u8(chunks.length + 1).u64(btree)
  for (const c of chunks) b.u32(c)
  b.u32(elementSize)
  return message(0x0008, 0, b)
}

function contiguousLayoutMessage(addr: number, size: number): Message {
  return message(0x0008, 0, new Bytes().u8(3).u8(1).u64(size > 0 ? addr : UNDEF).u64(size))
}

/** Writes rows (slices along the first axis) of one dataset, in order. */
export class DatasetWriter {
  readonly name: string
  readonly shape: readonly number[]
  readonly dtype: WriterDtype
  readonly chunks: readonly number[] | null
  readonly compression: WriterCompression
  readonly level: number
  readonly shuffle: boolean
  readonly elementSize: number
  /** Values in one row (product of the trailing dimensions). */
  readonly rowLength: number
  rowsWritten = 0
  /** Contiguous: the data's file address. */
  addr = 0
  readonly entries: ChunkEntry[] = []
  private pending: WriterArray | null = null
  private pendingRows = 0

  constructor(
    private readonly owner: H5Writer,
    spec: DatasetSpec,
  ) {
    this.name = spec.name
    this.shape = [...spec.shape]
    this.dtype = spec.dtype
    this.elementSize = ELEMENT_SIZE[spec.dtype]
    this.chunks = spec.chunks ? [...spec.chunks] : null
    this.compression = spec.compression ?? 'none'
    this.level = spec.level ?? 4
    this.shuffle = (spec.shuffle ?? false) && this.compression === 'gzip'
    this.rowLength = this.shape.slice(1).reduce((a, b) => a * b, 1)
    if (this.chunks) {
      this.pending = this.alloc(this.chunks[0] * this.rowLength)
    }
  }

  private alloc(n: number): WriterArray {
    return new ARRAY_OF[this.dtype](n)
  }

  get totalBytes(): number {
    return this.shape.reduce((a, b) => a * b, 1) * this.elementSize
  }

  /** Filter pipeline as h5py writes it. */
  filters(): FilterDef[] {
    if (!this.chunks || this.compression === 'none') return []
    if (this.compression === 'lzf') return [{ id: 32000, name: 'lzf', cd: [4, 261, this.chunkBytes()] }]
    const out: FilterDef[] = []
    if (this.shuffle) out.push({ id: 2, name: 'shuffle', cd: [this.elementSize] })
    out.push({ id: 1, name: 'deflate', cd: [this.level] })
    return out
  }

  chunkBytes(): number {
    return (this.chunks ?? this.shape).reduce((a, b) => a * b, 1) * this.elementSize
  }

  /** Appends whole rows: `data.length` must be a multiple of the row length. */
  writeRows(data: ArrayLike<number>): void {
    this.owner.assertOpen()
    if (data.length % this.rowLength !== 0) throw new RangeError(`${this.name}: ${data.length} values is not a whole number of rows of ${this.rowLength}`)
    const rows = data.length / this.rowLength
    if (this.rowsWritten + rows > this.shape[0]) throw new RangeError(`${this.name}: writing ${rows} rows at row ${this.rowsWritten} passes the end (${this.shape[0]} rows)`)
    if (!this.chunks) {
      const typed = data instanceof ARRAY_OF[this.dtype] ? (data as WriterArray) : ARRAY_OF[this.dtype].from(data)
      this.owner.writeAt(this.addr + this.rowsWritten * this.rowLength * this.elementSize, new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength))
      this.rowsWritten += rows
      return
    }
    const c0 = this.chunks[0]
    let from = 0
    while (from < rows) {
      const take = Math.min(rows - from, c0 - this.pendingRows)
      const src = data instanceof Float32Array || data instanceof Float64Array || data instanceof Uint8Array ? data.subarray(from * this.rowLength, (from + take) * this.rowLength) : Array.prototype.slice.call(data, from * this.rowLength, (from + take) * this.rowLength)
      this.pending!.set(src as ArrayLike<number>, this.pendingRows * this.rowLength)
      this.pendingRows += take
      from += take
      this.rowsWritten += take
      if (this.pendingRows === c0) this.flushChunkRow()
    }
  }

  /** Writes out a partial last row of chunks (zero-padded, as libhdf5 stores edge chunks). */
  finish(): void {
    if (this.chunks && this.pendingRows > 0) this.flushChunkRow()
  }

  private flushChunkRow(): void {
    const chunks = this.chunks!
    const rank = this.shape.length
    const row0 = (this.rowsWritten - this.pendingRows) / chunks[0]
    const grid = this.shape.map((d, i) => Math.ceil(d / chunks[i]))
    const chunkLen = chunks.reduce((a, b) => a * b, 1)
    const buf = this.pending!
    const pendingRows = this.pendingRows
    // Whole-row chunks (the usual (k, 125, 125, 3)): the pending block is the chunk.
    const trailingWhole = chunks.slice(1).every((c, i) => c === this.shape[i + 1])
    if (trailingWhole) {
      if (pendingRows < chunks[0]) buf.fill(0, pendingRows * this.rowLength)
      this.emitChunk([row0, ...new Array<number>(rank - 1).fill(0)], buf)
    } else {
      const chunk = this.alloc(chunkLen)
      const idx = new Array<number>(rank).fill(0)
      idx[0] = row0
      const strides = new Array<number>(rank).fill(1)
      for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * this.shape[i + 1]
      const cstrides = new Array<number>(rank).fill(1)
      for (let i = rank - 2; i >= 0; i--) cstrides[i] = cstrides[i + 1] * chunks[i + 1]
      for (;;) {
        chunk.fill(0)
        // Copy the part of the pending block that falls in chunk idx (row 0 of pending = row0 * c0).
        const lo = idx.map((c, i) => (i === 0 ? 0 : c * chunks[i]))
        const hi = idx.map((c, i) => (i === 0 ? pendingRows : Math.min(this.shape[i], (c + 1) * chunks[i])))
        const copy = (dim: number, src: number, dst: number): void => {
          if (dim === rank - 1) {
            const n = hi[dim] - lo[dim]
            chunk.set(buf.subarray(src + lo[dim], src + lo[dim] + n), dst)
            return
          }
          for (let k = lo[dim]; k < hi[dim]; k++) copy(dim + 1, src + k * strides[dim], dst + (k - lo[dim]) * cstrides[dim])
        }
        copy(0, 0, 0)
        this.emitChunk([...idx], chunk)
        // Next chunk along the trailing dimensions, last fastest.
        let d = rank - 1
        while (d >= 1) {
          if (++idx[d] < grid[d]) break
          idx[d] = 0
          d--
        }
        if (d < 1) break
      }
    }
    this.pendingRows = 0
    this.pending!.fill(0)
  }

  private emitChunk(scaled: number[], data: WriterArray): void {
    let bytes: Uint8Array = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    let mask = 0
    if (this.compression === 'gzip') {
      if (this.shuffle) bytes = shuffleBytes(bytes, this.elementSize)
      bytes = zlib.deflateSync(bytes, { level: this.level })
    } else if (this.compression === 'lzf') {
      const packed = lzfCompress(bytes)
      if (packed) bytes = packed
      else mask = 1 // stored raw: filter 0 (lzf) skipped for this chunk
    }
    const addr = this.owner.append(bytes)
    this.entries.push({ scaled, size: bytes.length, mask, addr })
  }
}

/** Creates an HDF5 file holding the given datasets (in the root group); see the module comment. */
export class H5Writer {
  readonly path: string
  private fd: number | null
  private eof: number
  private readonly datasets: DatasetWriter[]
  private readonly headerAddrs: number[] = []
  private readonly headerSizes: number[]
  private readonly heapData: Uint8Array
  private readonly nameOffsets: number[]
  private readonly snodAddr: number
  private readonly rootAttributes: Message[]
  private readonly rootHeaderSize: number

  /** `attributes` are written on the root group (names plain, values small: they live in its object header). */
  constructor(path: string, specs: readonly DatasetSpec[], attributes: Readonly<Record<string, AttributeValue>> = {}) {
    if (os.endianness() !== 'LE') throw new Error('the HDF5 writer needs a little-endian machine')
    if (specs.length > 2 * GROUP_LEAF_K) throw new RangeError(`at most ${2 * GROUP_LEAF_K} datasets per file`)
    const names = specs.map((s) => s.name)
    for (const s of specs) {
      if (!/^[A-Za-z0-9_.-]+$/.test(s.name)) throw new RangeError(`dataset name "${s.name}" must be plain (letters, digits, _ . -)`)
      if (names.indexOf(s.name) !== names.lastIndexOf(s.name)) throw new RangeError(`dataset "${s.name}" given twice`)
      if (s.shape.length < 1 || s.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`dataset "${s.name}": bad shape [${s.shape.join(', ')}]`)
      if (s.chunks) {
        if (s.chunks.length !== s.shape.length || s.chunks.some((c) => !Number.isInteger(c) || c < 1)) throw new RangeError(`dataset "${s.name}": chunks [${s.chunks.join(', ')}] do not fit shape [${s.shape.join(', ')}]`)
        const bytes = s.chunks.reduce((a, b) => a * b, 1) * ELEMENT_SIZE[s.dtype]
        if (bytes >= 2 ** 32) throw new RangeError(`dataset "${s.name}": chunks of ${bytes} bytes are too large (HDF5 limit 4 GiB)`)
      } else if ((s.compression ?? 'none') !== 'none') throw new RangeError(`dataset "${s.name}": compression needs chunks`)
    }
    this.rootAttributes = Object.entries(attributes).map(([name, value]) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new RangeError(`attribute name "${name}" must be plain (letters, digits, _ . -)`)
      return attributeMessage(name, value)
    })
    this.rootHeaderSize = this.rootHeader(0, 0).length
    this.path = path
    this.fd = fs.openSync(path, 'w')
    this.datasets = specs.map((s) => new DatasetWriter(this, s))
    // Heap: "" at offset 0, then each name, each padded to 8; then one free block of 16 bytes.
    const enc = new TextEncoder()
    const heap = new Bytes()
    heap.zeros(8)
    const sorted = [...this.datasets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    this.nameOffsets = []
    const offsetByName = new Map<string, number>()
    for (const d of sorted) {
      offsetByName.set(d.name, heap.length)
      heap.bytes(enc.encode(d.name)).u8(0).padTo(8)
    }
    for (const d of this.datasets) this.nameOffsets.push(offsetByName.get(d.name)!)
    heap.u64(1).u64(16) // free block: next = none (1), size 16
    this.heapData = heap.done()
    this.snodAddr = SUPERBLOCK_SIZE + this.rootHeaderSize + GROUP_BTREE_SIZE + HEAP_HEADER_SIZE + this.heapData.length
    let addr = this.snodAddr + SNOD_SIZE
    this.headerSizes = this.datasets.map((d) => this.datasetHeader(d, 0).length)
    for (const size of this.headerSizes) {
      this.headerAddrs.push(addr)
      addr += size
    }
    this.eof = addr
    // Contiguous datasets get their space now; chunks are appended as they are written.
    for (const d of this.datasets) {
      if (!d.chunks) {
        d.addr = this.eof
        this.eof += d.totalBytes
        if (d.totalBytes > 0) this.writeAt(this.eof - 1, new Uint8Array(1)) // extends the file (zeros)
      }
    }
  }

  dataset(name: string): DatasetWriter {
    const d = this.datasets.find((x) => x.name === name)
    if (!d) throw new RangeError(`no dataset "${name}" in this writer`)
    return d
  }

  assertOpen(): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`)
  }

  /** @internal */
  writeAt(pos: number, bytes: Uint8Array): void {
    this.assertOpen()
    let done = 0
    while (done < bytes.length) done += fs.writeSync(this.fd!, bytes, done, bytes.length - done, pos + done)
  }

  /** @internal Appends bytes at the end of the file; returns their address. */
  append(bytes: Uint8Array): number {
    const at = this.eof
    this.writeAt(at, bytes)
    this.eof += bytes.length
    return at
  }

  private datasetHeader(d: DatasetWriter, btreeAddr: number | bigint): Uint8Array {
    const msgs: Message[] = [dataspaceMessage(d.shape), datatypeMessage(d.dtype), fillValueMessage(d.chunks !== null)]
    const filters = d.filters()
    if (filters.length) msgs.push(pipelineMessage(filters))
    msgs.push(d.chunks ? chunkedLayoutMessage(btreeAddr, d.chunks, d.elementSize) : contiguousLayoutMessage(d.addr, d.totalBytes))
    return headerBytes(msgs)
  }

  /** Writes the chunk index of one dataset (leaves, then parents up to the root); returns the root. */
  private writeChunkBtree(d: DatasetWriter): number | bigint {
    const entries = d.entries
    if (entries.length === 0) return UNDEF
    const ndims = d.shape.length + 1
    const chunkDims = [...d.chunks!, d.elementSize]
    const keySize = 8 + 8 * ndims
    const nodeSize = 24 + 2 * CHUNK_K * 8 + (2 * CHUNK_K + 1) * keySize
    const key = (b: Bytes, size: number, mask: number, scaled: number[]): void => {
      b.u32(size).u32(mask)
      for (let i = 0; i < ndims; i++) b.u64((scaled[i] ?? 0) * chunkDims[i])
    }
    const last = entries[entries.length - 1].scaled
    // The right key after the last chunk: one past it in every dimension, as libhdf5 writes it.
    const finalKey = { size: 0, mask: 0, scaled: [...last.map((s) => s + 1), 1] }
    type Node = { addr: number; first: { size: number; mask: number; scaled: number[] } }
    let level = 0
    let items: { key: { size: number; mask: number; scaled: number[] }; child: number }[] = entries.map((e) => ({ key: { size: e.size, mask: e.mask, scaled: [...e.scaled, 0] }, child: e.addr }))
    for (;;) {
      const groups: (typeof items)[] = []
      for (let i = 0; i < items.length; i += 2 * CHUNK_K) groups.push(items.slice(i, i + 2 * CHUNK_K))
      const base = this.eof
      const nodes: Node[] = groups.map((g, i) => ({ addr: base + i * nodeSize, first: g[0].key }))
      for (let i = 0; i < groups.length; i++) {
        const g = groups[i]
        const b = new Bytes(nodeSize)
        b.bytes([0x54, 0x52, 0x45, 0x45]).u8(1).u8(level).u16(g.length)
        b.u64(i > 0 ? nodes[i - 1].addr : UNDEF).u64(i < groups.length - 1 ? nodes[i + 1].addr : UNDEF)
        for (const it of g) {
          key(b, it.key.size, it.key.mask, it.key.scaled)
          b.u64(it.child)
        }
        const right = i < groups.length - 1 ? groups[i + 1][0].key : finalKey
        key(b, right.size, right.mask, right.scaled)
        b.zeros(nodeSize - b.length)
        this.append(b.done())
      }
      if (nodes.length === 1) return nodes[0].addr
      items = nodes.map((n) => ({ key: n.first, child: n.addr }))
      level++
    }
  }

  /** Flushes the last chunks, writes the indexes, headers and superblock, and closes the file. */
  close(): void {
    this.assertOpen()
    try {
      for (const d of this.datasets) d.finish()
      const btrees = this.datasets.map((d) => (d.chunks ? this.writeChunkBtree(d) : 0))
      this.datasets.forEach((d, i) => {
        const h = this.datasetHeader(d, btrees[i])
        if (h.length !== this.headerSizes[i]) throw new Error('internal error: dataset header size changed')
        this.writeAt(this.headerAddrs[i], h)
      })
      this.writeAt(0, this.metadataBlock())
      fs.fsyncSync(this.fd!)
    } finally {
      fs.closeSync(this.fd!)
      this.fd = null
    }
  }

  /** Closes and deletes a file that will not be finished. */
  abort(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd)
      this.fd = null
    }
    fs.rmSync(this.path, { force: true })
  }

  /** The root group's object header: its symbol-table message and its attributes. */
  private rootHeader(btree: number, heap: number): Uint8Array {
    return headerBytes([message(0x0011, 0, new Bytes().u64(btree).u64(heap)), ...this.rootAttributes])
  }

  /** Superblock, root object header, root group B-tree, local heap and symbol-table node. */
  private metadataBlock(): Uint8Array {
    const rootHeader = SUPERBLOCK_SIZE
    const btree = rootHeader + this.rootHeaderSize
    const heap = btree + GROUP_BTREE_SIZE
    const heapData = heap + HEAP_HEADER_SIZE
    const b = new Bytes(this.snodAddr + SNOD_SIZE)
    // Superblock v0.
    b.bytes(SIGNATURE).u8(0).u8(0).u8(0).u8(0).u8(0).u8(8).u8(8).u8(0)
    b.u16(GROUP_LEAF_K).u16(GROUP_INTERNAL_K).u32(0)
    b.u64(0).u64(UNDEF).u64(this.eof).u64(UNDEF)
    // Root group symbol-table entry (cache type 1: B-tree and heap addresses in the scratch pad).
    b.u64(0).u64(rootHeader).u32(1).u32(0).u64(btree).u64(heap)
    // Root object header: the symbol-table message, then the attributes.
    b.bytes(this.rootHeader(btree, heap))
    // Group B-tree (type 0), one leaf pointing at the symbol-table node.
    const sortedOffsets = [...this.nameOffsets].sort((x, y) => x - y)
    const maxName = this.datasets.length ? sortedOffsets[sortedOffsets.length - 1] : 0
    const g = new Bytes(GROUP_BTREE_SIZE)
    g.bytes([0x54, 0x52, 0x45, 0x45]).u8(0).u8(0).u16(1).u64(UNDEF).u64(UNDEF)
    g.u64(0).u64(this.snodAddr).u64(maxName)
    g.zeros(GROUP_BTREE_SIZE - g.length)
    b.bytes(g.done())
    // Local heap holding the names.
    b.bytes([0x48, 0x45, 0x41, 0x50]).u8(0).zeros(3).u64(this.heapData.length).u64(this.heapData.length - 16).u64(heapData)
    b.bytes(this.heapData)
    // Symbol-table node: entries sorted by name.
    const order = this.datasets.map((d, i) => ({ name: d.name, i })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    const s = new Bytes(SNOD_SIZE)
    s.bytes([0x53, 0x4e, 0x4f, 0x44]).u8(1).u8(0).u16(order.length)
    for (const { i } of order) s.u64(this.nameOffsets[i]).u64(this.headerAddrs[i]).u32(0).u32(0).zeros(16)
    s.zeros(SNOD_SIZE - s.length)
    b.bytes(s.done())
    return b.done()
  }
}
