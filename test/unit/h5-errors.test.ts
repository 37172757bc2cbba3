/**
 * Every bad-file case gives an H5FileError naming the file and what is wrong, and leaves nothing
 * open; the library keeps working afterwards.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { H5FileError } from '../../src/main/h5/errors'
import { openH5, openH5FileCount } from '../../src/main/h5/file'
import { detectJetSchema, JetDataset } from '../../src/main/h5/jets'
import { H5Writer } from '../../src/main/h5/writer'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { FIXTURES, openFds, tempDir, writeWithH5wasm } from '../fixtures/h5/helpers'

const tmp = tempDir()
afterAll(() => tmp.remove())

const IMG = 125 * 125 * 3

/** A file in the jet layout with chosen shapes (zeros), written by our writer. */
function jetLike(name: string, x: number[], lengths: { m0?: number; pt?: number; y?: number } = {}, omit: string[] = []): string {
  const n = x[0]
  const specs = [
    { name: 'X_jets', shape: x, dtype: 'float32' as const, chunks: [1, ...x.slice(1)], compression: 'gzip' as const },
    { name: 'm0', shape: [lengths.m0 ?? n], dtype: 'float32' as const },
    { name: 'pt', shape: [lengths.pt ?? n], dtype: 'float32' as const },
    { name: 'y', shape: [lengths.y ?? n], dtype: 'float32' as const },
  ].filter((s) => !omit.includes(s.name))
  const file = tmp.file(name)
  new H5Writer(file, specs).close()
  return file
}

let good: string
beforeAll(async () => {
  good = tmp.file('good.h5')
  await writeJetFile(good, { n: 4, seed: 1, compression: 'gzip' })
})

async function openError(file: string): Promise<H5FileError> {
  const before = openH5FileCount()
  try {
    const ds = await JetDataset.open(file)
    ds.close()
  } catch (e) {
    expect(openH5FileCount()).toBe(before)
    expect(e).toBeInstanceOf(H5FileError)
    const err = e as H5FileError
    expect(err.file).toBe(path.resolve(file))
    expect(err.message.startsWith(`${path.basename(file)}: `)).toBe(true)
    expect(err.message).not.toContain('\n')
    return err
  }
  throw new Error(`${file} opened without an error`)
}

describe('bad files', () => {
  it('not there / a directory', async () => {
    expect(await openError(tmp.file('missing.h5'))).toMatchObject({ code: 'not_found', problem: 'no such file' })
    expect(await openError(tmp.dir)).toMatchObject({ code: 'not_found', problem: expect.stringContaining('directory') })
  })

  it('not HDF5 at all (text, random bytes, empty)', async () => {
    const text = tmp.file('notes.h5')
    fs.writeFileSync(text, 'event,m0,pt,y\n1,2,3,0\n'.repeat(100))
    expect(await openError(text)).toMatchObject({ code: 'not_hdf5', problem: expect.stringContaining('not an HDF5 file') })
    const empty = tmp.file('empty.hdf5')
    fs.writeFileSync(empty, '')
    expect(await openError(empty)).toMatchObject({ code: 'not_hdf5', problem: expect.stringContaining('empty') })
  })

  it('truncated', async () => {
    const cut = tmp.file('cut.h5')
    const bytes = fs.readFileSync(good)
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const err = await openError(cut)
    expect(err.code).toBe('truncated')
    expect(err.problem).toMatch(/is truncated: it is \d+ bytes but its HDF5 superblock says \d+/)
    const tiny = tmp.file('tiny.h5')
    fs.writeFileSync(tiny, bytes.subarray(0, 20))
    expect((await openError(tiny)).code).toBe('truncated')
  })

  it('no X_jets', async () => {
    const err = await openError(jetLike('no-x.h5', [3, 125, 125, 3], {}, ['X_jets']))
    expect(err).toMatchObject({ code: 'missing_dataset', problem: 'has no X_jets dataset (the jet images); it holds m0, pt, y' })
  })

  it('no labels', async () => {
    const err = await openError(jetLike('no-y.h5', [3, 125, 125, 3], {}, ['y']))
    expect(err).toMatchObject({ code: 'missing_dataset', problem: expect.stringContaining('no y dataset') })
  })

  it('channels-first layout (N, 3, 125, 125)', async () => {
    const err = await openError(jetLike('chw.h5', [2, 3, 125, 125]))
    expect(err.code).toBe('channels_first')
    expect(err.problem).toContain('channels-first (2, 3, 125, 125)')
    expect(err.problem).toContain('(events, 125, 125, 3)')
  })

  it('wrong rank', async () => {
    expect(await openError(jetLike('rank3.h5', [2, 125, 375]))).toMatchObject({ code: 'wrong_rank', problem: expect.stringContaining('rank 3') })
    const file = tmp.file('m0-2d.h5')
    new H5Writer(file, [
      { name: 'X_jets', shape: [2, 125, 125, 3], dtype: 'float32', chunks: [1, 125, 125, 3] },
      { name: 'm0', shape: [2, 2], dtype: 'float32' },
      { name: 'pt', shape: [2], dtype: 'float32' },
      { name: 'y', shape: [2], dtype: 'float32' },
    ]).close()
    expect(await openError(file)).toMatchObject({ code: 'wrong_rank', problem: expect.stringContaining('m0 has shape (2, 2)') })
  })

  it('lengths of m0 / pt / y that do not match X_jets', async () => {
    expect((await openError(jetLike('short-m0.h5', [4, 125, 125, 3], { m0: 3 }))).problem).toBe('m0 has 3 values but X_jets has 4 events')
    expect((await openError(jetLike('long-pt.h5', [4, 125, 125, 3], { pt: 5 }))).problem).toBe('pt has 5 values but X_jets has 4 events')
    expect((await openError(jetLike('short-y.h5', [4, 125, 125, 3], { y: 1 }))).code).toBe('length_mismatch')
  })

  it('unsupported dtypes (integer images, string labels)', async () => {
    const ints = tmp.file('uint8-images.h5')
    await writeWithH5wasm(ints, [
      { name: 'X_jets', data: new Uint8Array(2 * IMG), shape: [2, 125, 125, 3], dtype: '<B' },
      { name: 'm0', data: new Float32Array(2), dtype: '<f' },
      { name: 'pt', data: new Float32Array(2), dtype: '<f' },
      { name: 'y', data: new Float32Array(2), dtype: '<f' },
    ])
    expect(await openError(ints)).toMatchObject({ code: 'unsupported_dtype', problem: 'X_jets has dtype uint8; expected float32 (or float64)' })
    const strings = tmp.file('string-labels.h5')
    await writeWithH5wasm(strings, [
      { name: 'X_jets', data: new Float32Array(2 * IMG), shape: [2, 125, 125, 3], dtype: '<f' },
      { name: 'm0', data: new Float32Array(2), dtype: '<f' },
      { name: 'pt', data: new Float32Array(2), dtype: '<f' },
      { name: 'y', data: ['quark', 'gluon'] },
    ])
    expect(await openError(strings)).toMatchObject({ code: 'unsupported_dtype', problem: expect.stringContaining('y has dtype string') })
  })

  it('a compression filter we cannot decode', async () => {
    const file = jetLike('odd-filter.h5', [2, 125, 125, 3])
    const lzf = tmp.file('odd-filter-lzf.h5')
    new H5Writer(lzf, [
      { name: 'X_jets', shape: [2, 125, 125, 3], dtype: 'float32', chunks: [1, 125, 125, 3], compression: 'lzf' },
      { name: 'm0', shape: [2], dtype: 'float32' },
      { name: 'pt', shape: [2], dtype: 'float32' },
      { name: 'y', shape: [2], dtype: 'float32' },
    ]).close()
    // Turn the LZF filter entry (id 32000 = 0x7d00) into an unknown filter 32099.
    const bytes = Buffer.from(fs.readFileSync(lzf))
    const at = bytes.indexOf(Buffer.from([0x00, 0x7d, 0x08, 0x00, 0x01, 0x00, 0x03, 0x00]))
    expect(at).toBeGreaterThan(0)
    bytes.writeUInt16LE(32099, at)
    fs.writeFileSync(file, bytes)
    const err = await openError(file)
    expect(err.code).toBe('unsupported_filter')
    expect(err.problem).toContain('/X_jets is compressed with "lzf" (HDF5 filter 32099), which Quarkade cannot decode')
    const f = await openH5(file)
    try {
      expect(f.info('/X_jets').compression.kind).toBe('other')
      expect(() => f.readSlice('/X_jets', [[0, 1]])).toThrow(/cannot decode/)
    } finally {
      f.close()
    }
  })

  it('detectJetSchema reports (does not throw) and accepts the good file', async () => {
    const f = await openH5(path.join(FIXTURES, 'h5py-contiguous-f64.h5'))
    try {
      const r = detectJetSchema(f)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toBeInstanceOf(H5FileError)
    } finally {
      f.close()
    }
    const g = await openH5(good)
    try {
      expect(detectJetSchema(g)).toMatchObject({ ok: true, events: 4, channelsLast: true, imageShape: [125, 125, 3], warnings: [] })
    } finally {
      g.close()
    }
  })
})

describe('bad reads', () => {
  it('slices outside the dataset, too large, or on a closed file', async () => {
    const f = await openH5(good, { maxSliceBytes: 2 * IMG * 4 })
    expect(() => f.readSlice('/X_jets', [[3, 5]])).toThrow(/slice \[3:5\] is outside dimension 0 of \/X_jets \(size 4\)/)
    expect(() => f.readSlice('/X_jets', [[2, 2]])).toThrow(H5FileError)
    expect(() => f.readSlice('/X_jets', [[0, 1], [0, 1], [0, 1], [0, 1], [0, 1]])).toThrow(/has 4 dimensions/)
    expect(() => f.readSlice('/X_jets', [[0, 3]])).toThrow(/more than the .* one read may use: read it in smaller slices/)
    expect(() => f.readSlice('/nope')).toThrow(/has no dataset "\/nope"/)
    expect(f.readSlice('/X_jets', [[0, 2]]).shape).toEqual([2, 125, 125, 3])
    f.close()
    f.close()
    expect(() => f.readSlice('/X_jets', [[0, 1]])).toThrow(/closed/)
  })

  it('JetDataset rejects bad event indices and ranges', async () => {
    const ds = await JetDataset.open(good)
    try {
      expect(() => ds.event(4)).toThrow(/event 4 does not exist \(the file has 4 events\)/)
      expect(() => ds.event(-1)).toThrow(H5FileError)
      await expect(ds.batches(2, { start: 0, end: 9 }).next()).rejects.toThrow(/outside/)
      await expect(ds.batches(0).next()).rejects.toThrow(/batch size/)
    } finally {
      ds.close()
    }
  })
})

describe('stays usable, leaks nothing', () => {
  it('many failed and successful opens leave no open files or descriptors', async () => {
    const bad = [tmp.file('missing.h5'), jetLike('chw2.h5', [2, 3, 125, 125]), jetLike('short2.h5', [4, 125, 125, 3], { y: 2 })]
    const cut = tmp.file('cut2.h5')
    fs.writeFileSync(cut, fs.readFileSync(good).subarray(0, 3000))
    bad.push(cut)
    // Warm up (h5wasm, plugin path) before counting descriptors.
    ;(await JetDataset.open(good)).close()
    const fds = openFds()
    const files = openH5FileCount()
    for (let k = 0; k < 10; k++) {
      for (const b of bad) await expect(JetDataset.open(b)).rejects.toBeInstanceOf(H5FileError)
      const ds = await JetDataset.open(good)
      expect(ds.event(k % 4).image.length).toBe(IMG)
      ds.close()
    }
    expect(openH5FileCount()).toBe(files)
    if (fds !== null) expect(openFds()).toBe(fds)
  })

  it('corrupt metadata or chunks: H5FileError with libhdf5\'s reason, nothing on stderr, no leak', async () => {
    const corrupt = tmp.file('corrupt.h5')
    const bytes = Buffer.from(fs.readFileSync(good))
    bytes.fill(0x5a, 96, 2000) // root group header, B-tree, heap: garbage
    fs.writeFileSync(corrupt, bytes)
    const badChunks = tmp.file('bad-chunks.h5')
    const b2 = Buffer.from(fs.readFileSync(good))
    b2.fill(0x5a, 4000, 9000) // inside the compressed chunks
    fs.writeFileSync(badChunks, b2)
    ;(await JetDataset.open(good)).close()
    const fds = openFds()
    const stderr: string[] = []
    const original = fs.writeSync
    fs.writeSync = ((fd: number, ...rest: unknown[]) => {
      if (fd === 2) stderr.push(String(rest[0]))
      return (original as (...a: unknown[]) => number)(fd, ...rest)
    }) as typeof fs.writeSync
    try {
      for (let k = 0; k < 5; k++) {
        const err = await openError(corrupt)
        expect(err.code).toBe('unreadable')
        expect(err.problem).toMatch(/^HDF5 could not open it: \S/)
        const ds = await JetDataset.open(badChunks)
        try {
          expect(() => [0, 1, 2, 3].map((i) => ds.event(i))).toThrow(/^bad-chunks.h5: HDF5 could not read \/X_jets: \S/)
        } finally {
          ds.close()
        }
      }
    } finally {
      fs.writeSync = original
    }
    expect(stderr).toEqual([])
    if (fds !== null) expect(openFds()).toBe(fds)
    const ds = await JetDataset.open(good)
    expect(ds.events).toBe(4)
    ds.close()
  })
})
