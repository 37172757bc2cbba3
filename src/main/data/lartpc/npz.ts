/**
 * lartpc_game's converted DeepLearnPhysics data: a folder of `image{k}.npy.npz` / `label{k}.npy.npz`
 * pairs, each a CSR matrix saved by `scipy.sparse.save_npz` — a zip (deflated, or stored with
 * compressed=False) of data.npy, indices.npy, indptr.npy, shape.npy and format.npy.
 *
 * Read here with Node's zlib and a small zip/npy reader rather than a zip library, because memory
 * must stay bounded on hostile files: every declared size (zip entry sizes, npy shapes, nnz) is
 * checked against the matrix shape (≤ 4096²) before anything is allocated, and inflation is capped
 * at the declared size (zlib's maxOutputLength), so a zip bomb or a lying header fails with one line.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { LARTPC_CLASSES, N_CLASSES, type DetectorEvent } from '../../../core/lartpc/event'
import { DetectorFileError, MAX_SIDE } from './errors'

const PAIR_NAME = /^(image|label)(\d+)\.npy\.npz$/
/** The npy header (a Python dict literal) is small; numpy pads it to 64 bytes, old files to 16. */
const MAX_NPY_HEADER = 64 * 1024

export interface NpzPair {
  k: number
  image: string
  label: string
}

/** Whether a path names an npz folder (or one of its pair files), without reading it. */
export function looksLikeNpzFolder(p: string): boolean {
  try {
    const st = fs.statSync(p)
    if (st.isFile()) return PAIR_NAME.test(path.basename(p))
    return st.isDirectory() && fs.readdirSync(p).some((n) => PAIR_NAME.test(n))
  } catch {
    return false
  }
}

/**
 * The folder's pairs sorted by k; a lone image or label is one line naming it. `readable` vets each
 * file (web mode: a link inside an allowed folder must not lead outside it); it throws to refuse.
 */
export function listNpzPairs(p: string, readable: (file: string) => string = (f) => f): { folder: string; pairs: NpzPair[] } {
  let folder = p
  let st: fs.Stats
  try {
    st = fs.statSync(p)
  } catch {
    throw new DetectorFileError(p, 'no such file or folder')
  }
  if (st.isFile()) {
    if (!PAIR_NAME.test(path.basename(p))) throw new DetectorFileError(p, 'not an image{k}.npy.npz or label{k}.npy.npz file')
    folder = path.dirname(p)
  }
  const byK = new Map<number, { image?: string; label?: string }>()
  for (const name of fs.readdirSync(folder)) {
    const m = PAIR_NAME.exec(name)
    if (!m) continue
    const k = Number(m[2])
    const entry = byK.get(k) ?? {}
    entry[m[1] as 'image' | 'label'] = path.join(folder, name)
    byK.set(k, entry)
  }
  if (byK.size === 0) throw new DetectorFileError(folder, 'has no image{k}.npy.npz / label{k}.npy.npz pairs')
  const pairs: NpzPair[] = []
  for (const [k, e] of [...byK].sort((x, y) => x[0] - y[0])) {
    if (!e.label) throw new DetectorFileError(e.image!, `has no partner label${k}.npy.npz in its folder`)
    if (!e.image) throw new DetectorFileError(e.label, `has no partner image${k}.npy.npz in its folder`)
    pairs.push({ k, image: readable(e.image), label: readable(e.label) })
  }
  return { folder, pairs }
}

/** Reads one pair as an event; every problem is one line naming the file. */
export function readNpzPair(pair: NpzPair): DetectorEvent {
  const image = readCsrFile(pair.image)
  const label = readCsrFile(pair.label)
  if (image.rows !== label.rows || image.cols !== label.cols) {
    throw new DetectorFileError(pair.label, `is ${label.rows} × ${label.cols} but ${path.basename(pair.image)} is ${image.rows} × ${image.cols}`)
  }
  const { rows, cols } = image
  const energy = new Float32Array(rows * cols)
  scatterCsr(image, (i, v) => {
    if (!(v >= 0) || v === Infinity) throw new DetectorFileError(pair.image, `energy ${v} at row ${Math.floor(i / cols)}, column ${i % cols} (energies must be finite and ≥ 0)`)
    energy[i] = v
  })
  const labels = new Uint8Array(rows * cols)
  scatterCsr(label, (i, v) => {
    if (!Number.isInteger(v) || v < 0 || v >= N_CLASSES) throw new DetectorFileError(pair.label, `label ${v} at row ${Math.floor(i / cols)}, column ${i % cols} (classes are 0…${N_CLASSES - 1}: ${LARTPC_CLASSES.join(', ')})`)
    labels[i] = v
  })
  return { width: cols, height: rows, energy, label: labels }
}

// --- CSR from an npz --------------------------------------------------------------------------

interface Csr {
  file: string
  rows: number
  cols: number
  data: NpyArray
  indices: NpyArray
  indptr: NpyArray
}

function scatterCsr(m: Csr, put: (index: number, value: number) => void): void {
  for (let r = 0; r < m.rows; r++) {
    const end = m.indptr.get(r + 1)
    for (let j = m.indptr.get(r); j < end; j++) put(r * m.cols + m.indices.get(j), m.data.get(j))
  }
}

/** A CSR matrix from a save_npz file, with every size and index checked. */
export function readCsrFile(file: string): Csr {
  const fail = (problem: string): never => {
    throw new DetectorFileError(file, problem)
  }
  const zip = ZipReader.open(file)
  try {
    if (!zip.has('format.npy')) fail('is not a scipy.sparse .npz: no format.npy inside')
    const fmt = parseNpy(file, 'format.npy', zip.read('format.npy', 4096)).text()
    if (fmt !== 'csr') fail(`holds a ${fmt || 'unknown'}-format sparse matrix; only CSR (scipy's default) is read`)
    for (const name of ['data.npy', 'indices.npy', 'indptr.npy', 'shape.npy']) if (!zip.has(name)) fail(`is not a scipy.sparse CSR .npz: no ${name} inside`)
    const shape = parseNpy(file, 'shape.npy', zip.read('shape.npy', 4096))
    if (shape.length !== 2) fail(`shape.npy holds ${shape.length} values, expected 2 (rows, columns)`)
    const rows = shape.get(0)
    const cols = shape.get(1)
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) fail(`declares a ${rows} × ${cols} matrix (at most ${MAX_SIDE} a side)`)
    const maxNnz = rows * cols
    const indptr = parseNpy(file, 'indptr.npy', zip.read('indptr.npy', MAX_NPY_HEADER + (rows + 1) * 8))
    if (indptr.length !== rows + 1) fail(`indptr has ${indptr.length} entries, expected ${rows + 1} (rows + 1)`)
    const indices = parseNpy(file, 'indices.npy', zip.read('indices.npy', MAX_NPY_HEADER + maxNnz * 8))
    const data = parseNpy(file, 'data.npy', zip.read('data.npy', MAX_NPY_HEADER + maxNnz * 8))
    const nnz = data.length
    if (indices.length !== nnz) fail(`has ${nnz} values but ${indices.length} column indices`)
    if (nnz > maxNnz) fail(`has ${nnz} stored values, more than its ${rows} × ${cols} pixels`)
    if (indptr.get(0) !== 0 || indptr.get(rows) !== nnz) fail(`indptr runs from ${indptr.get(0)} to ${indptr.get(rows)}, expected 0 to ${nnz}`)
    for (let r = 0; r < rows; r++) if (!(indptr.get(r + 1) >= indptr.get(r))) fail(`indptr decreases at row ${r}`)
    for (let j = 0; j < nnz; j++) {
      const c = indices.get(j)
      if (!Number.isInteger(c) || c < 0 || c >= cols) fail(`column index ${c} at entry ${j} is outside 0…${cols - 1}`)
    }
    return { file, rows, cols, data, indices, indptr }
  } finally {
    zip.close()
  }
}

// --- npy ----------------------------------------------------------------------------------------

interface NpyArray {
  length: number
  get(i: number): number
  /** A 0-d unicode/bytes array's text (format.npy). */
  text(): string
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
const NUMERIC: Record<string, { size: number; read: (v: DataView, o: number) => number }> = {
  f4: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  f8: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  b1: { size: 1, read: (v, o) => v.getUint8(o) },
  i2: { size: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { size: 2, read: (v, o) => v.getUint16(o, true) },
  i4: { size: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { size: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  u8: { size: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
}

/** Parses an .npy (format 1.0–3.0) of little-endian numbers or a 0-d string; checks its size. */
function parseNpy(file: string, name: string, bytes: Uint8Array): NpyArray {
  const fail = (problem: string): never => {
    throw new DetectorFileError(file, `${name}: ${problem}`)
  }
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail('not an .npy array (no \\x93NUMPY signature)')
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const headerStart = major === 1 ? 10 : 12
  if (major < 1 || major > 3) fail(`npy format version ${major} is not supported`)
  if (headerStart + headerLen > bytes.length) fail('truncated npy header')
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen))
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('unreadable npy header')
  const dims = shapeText!.split(',').map((s) => s.trim()).filter(Boolean).map(Number)
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`)
  if (dims.length > 1) fail(`is ${dims.length}-dimensional, expected a flat array`)
  const length = dims.reduce((a, b) => a * b, 1)
  const dataStart = headerStart + headerLen
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr!)
  if (!m) fail(`dtype ${descr} is not supported`)
  const [, order, kind, sizeText] = m!
  if (kind === 'U' || kind === 'S') {
    const chars = Number(sizeText)
    const width = kind === 'U' ? 4 * chars : chars
    if (order === '>') fail(`big-endian dtype ${descr} is not supported`)
    if (dataStart + width * length > bytes.length) fail(`truncated: ${length} × ${descr} declared`)
    const text = (): string => {
      const raw = bytes.subarray(dataStart, dataStart + width)
      const s = kind === 'U' ? String.fromCodePoint(...Array.from({ length: chars }, (_, i) => view.getUint32(dataStart + 4 * i, true))) : new TextDecoder('latin1').decode(raw)
      return s.replace(/\0+$/, '')
    }
    return { length, get: () => fail(`holds text (${descr}), not numbers`), text }
  }
  const numeric = NUMERIC[`${kind}${sizeText}`]
  if (!numeric) fail(`dtype ${descr} is not supported (float32/64, integers, bool)`)
  if (order === '>' && numeric!.size > 1) fail(`big-endian dtype ${descr} is not supported`)
  if (dataStart + numeric!.size * length !== bytes.length) fail(`holds ${bytes.length - dataStart} data bytes but its header declares ${length} × ${descr} (${numeric!.size * length})`)
  const { size, read } = numeric!
  return { length, get: (i) => read(view, dataStart + i * size), text: () => fail('holds numbers, not text') }
}

// --- zip ----------------------------------------------------------------------------------------

interface ZipEntry {
  method: number
  compressedSize: number
  size: number
  localOffset: number
}

/** The central directory of a zip file and bounded reads of its entries (stored or deflated). */
class ZipReader {
  private constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly fileSize: number,
    private readonly entries: Map<string, ZipEntry>,
  ) {}

  static open(file: string): ZipReader {
    let fd: number
    try {
      fd = fs.openSync(file, 'r')
    } catch {
      throw new DetectorFileError(file, 'cannot be opened (missing or unreadable)')
    }
    try {
      const fileSize = fs.fstatSync(fd).size
      const fail = (problem: string): never => {
        throw new DetectorFileError(file, problem)
      }
      const tailLen = Math.min(fileSize, 22 + 65535)
      const tail = readAt(fd, fileSize - tailLen, tailLen)
      let eocd = -1
      for (let i = tail.length - 22; i >= 0; i--) {
        if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
          eocd = i
          break
        }
      }
      if (eocd < 0) {
        const head = readAt(fd, 0, Math.min(4, fileSize))
        fail(head[0] === 0x50 && head[1] === 0x4b ? 'truncated zip (no end-of-archive record): the file was cut short' : 'not an .npz file (not a zip archive)')
      }
      const t = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
      let count = t.getUint16(eocd + 10, true)
      let cdSize = t.getUint32(eocd + 12, true)
      let cdOffset = t.getUint32(eocd + 16, true)
      if (cdOffset === 0xffffffff || count === 0xffff) {
        // Zip64 end of central directory locator sits just before the EOCD.
        const loc = eocd - 20
        if (loc < 0 || t.getUint32(loc, true) !== 0x07064b50) fail('zip64 archive without its locator')
        const rec = readAt(fd, Number(t.getBigUint64(loc + 8, true)), 56)
        const r = new DataView(rec.buffer, rec.byteOffset, rec.byteLength)
        if (r.getUint32(0, true) !== 0x06064b50) fail('corrupt zip64 end record')
        count = Number(r.getBigUint64(32, true))
        cdSize = Number(r.getBigUint64(40, true))
        cdOffset = Number(r.getBigUint64(48, true))
      }
      if (count > 64 || cdSize > 1 << 20 || cdOffset + cdSize > fileSize) fail(`corrupt zip directory (${count} entries, ${cdSize} bytes at ${cdOffset} in a ${fileSize}-byte file)`)
      const cd = readAt(fd, cdOffset, cdSize)
      const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength)
      const entries = new Map<string, ZipEntry>()
      let o = 0
      for (let i = 0; i < count; i++) {
        if (o + 46 > cd.length || v.getUint32(o, true) !== 0x02014b50) fail('corrupt zip directory entry')
        const method = v.getUint16(o + 10, true)
        let compressedSize = v.getUint32(o + 20, true)
        let size = v.getUint32(o + 24, true)
        const nameLen = v.getUint16(o + 28, true)
        const extraLen = v.getUint16(o + 30, true)
        const commentLen = v.getUint16(o + 32, true)
        let localOffset = v.getUint32(o + 42, true)
        const name = new TextDecoder().decode(cd.subarray(o + 46, o + 46 + nameLen))
        // Zip64 extra field: the 64-bit values of the fields saturated at 0xffffffff, in order.
        let e = o + 46 + nameLen
        const extraEnd = e + extraLen
        while (e + 4 <= extraEnd) {
          const id = v.getUint16(e, true)
          const len = v.getUint16(e + 2, true)
          if (id === 0x0001) {
            let f = e + 4
            const next = (): number => {
              const x = Number(v.getBigUint64(f, true))
              f += 8
              return x
            }
            if (size === 0xffffffff) size = next()
            if (compressedSize === 0xffffffff) compressedSize = next()
            if (localOffset === 0xffffffff) localOffset = next()
          }
          e += 4 + len
        }
        entries.set(name, { method, compressedSize, size, localOffset })
        o = extraEnd + commentLen
      }
      return new ZipReader(file, fd, fileSize, entries)
    } catch (e) {
      fs.closeSync(fd)
      throw e
    }
  }

  has(name: string): boolean {
    return this.entries.has(name)
  }

  /** An entry's bytes, refused before reading when it declares more than `maxBytes`. */
  read(name: string, maxBytes: number): Uint8Array {
    const fail = (problem: string): never => {
      throw new DetectorFileError(this.file, `${name}: ${problem}`)
    }
    const e = this.entries.get(name)!
    if (e.size > maxBytes) fail(`declares ${e.size} bytes, more than its matrix can need (${maxBytes}): corrupt or crafted`)
    if (e.compressedSize > e.size + 1024 + e.size / 100) fail(`declares ${e.compressedSize} compressed bytes for ${e.size} bytes of data: corrupt`)
    const local = readAt(this.fd, e.localOffset, 30)
    const l = new DataView(local.buffer, local.byteOffset, local.byteLength)
    if (local.length < 30 || l.getUint32(0, true) !== 0x04034b50) fail('corrupt zip entry header')
    const start = e.localOffset + 30 + l.getUint16(26, true) + l.getUint16(28, true)
    if (start + e.compressedSize > this.fileSize) fail('truncated: the zip entry runs past the end of the file (the file was cut short)')
    const raw = readAt(this.fd, start, e.compressedSize)
    if (e.method === 0) {
      if (e.compressedSize !== e.size) fail('stored entry with two different sizes')
      return raw
    }
    if (e.method !== 8) fail(`compression method ${e.method} is not supported (stored or deflate)`)
    let out: Buffer
    try {
      out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) })
    } catch (err) {
      return fail(`cannot be decompressed (${(err as Error).message.split('\n')[0]}): corrupt or truncated`)
    }
    if (out.length !== e.size) fail(`decompresses to ${out.length} bytes, not the ${e.size} declared`)
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done === length ? buf : buf.subarray(0, done)
}
