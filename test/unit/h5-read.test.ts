/**
 * Reading every kind of file h5py writes: contiguous and chunked, gzip with and without shuffle,
 * LZF, float32 and float64 — from genuine h5py fixtures (test/fixtures/h5, made by
 * make_fixtures.py), from libhdf5 itself through h5wasm, and from our streaming writer.
 */
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lzfCompress, lzfDecompress, shuffleBytes, unshuffleBytes } from '../../src/main/h5/lzf'
import { openH5 } from '../../src/main/h5/file'
import { H5Writer, type DatasetSpec, type WriterDtype } from '../../src/main/h5/writer'
import { Rng } from '../../src/core/rng'
import { FIXTURES, h5pyEvent, sameArray, tempDir, writeWithH5wasm } from '../fixtures/h5/helpers'

const tmp = tempDir()
afterAll(() => tmp.remove())

describe('h5py fixtures', () => {
  it.each([
    ['h5py-gzip-shuffle.h5', [1, 125, 125, 3], 'gzip', true, 'float32'],
    ['h5py-lzf.h5', [2, 125, 125, 3], 'lzf', false, 'float64'],
    ['h5py-autochunk-gzip.h5', [2, 32, 32, 2], 'gzip', false, 'float32'],
  ] as const)('reads %s (chunks %j, %s, shuffle %s, m0 %s) by single-event slices', async (name, chunks, kind, shuffle, scalarDtype) => {
    const f = await openH5(path.join(FIXTURES, name))
    try {
      const info = f.info('/X_jets')
      expect(info).toMatchObject({ shape: [6, 125, 125, 3], dtype: 'float32', byteOrder: 'little', chunks: [...chunks] })
      expect(info.compression.kind).toBe(kind)
      expect(info.compression.shuffle).toBe(shuffle)
      if (kind === 'gzip') expect(info.compression.level).toBe(4)
      expect(f.info('/m0').dtype).toBe(scalarDtype)
      for (const i of [0, 3, 5]) {
        const { data, shape, dtype } = f.readSlice('/X_jets', [[i, i + 1], [], [], []])
        expect(shape).toEqual([1, 125, 125, 3])
        expect(dtype).toBe('float32')
        expect(sameArray(data as Float32Array, h5pyEvent(i))).toBe(true)
      }
      // A window that is not chunk-aligned, and a sub-rectangle of the image.
      const block = f.readSlice('/X_jets', [[1, 4]]).data as Float32Array
      expect(sameArray(block.subarray(125 * 125 * 3, 2 * 125 * 125 * 3), h5pyEvent(2))).toBe(true)
      const patch = f.readSlice('/X_jets', [[4, 5], [60, 65], [60, 65], [1, 2]])
      expect(patch.shape).toEqual([1, 5, 5, 1])
      expect(patch.data[2 * 5 + 2]).toBeCloseTo(2 * 4 + 0.25)
      expect(Array.from(f.readSlice('/m0').data as Float32Array)).toEqual([0, 1.5, 3, 4.5, 6, 7.5])
      expect(Array.from(f.readSlice('/y', [[2, 6]]).data as Float32Array)).toEqual([0, 1, 0, 1])
    } finally {
      f.close()
    }
  })

  it('reads contiguous float64, int64, big-endian data, groups and attributes', async () => {
    const f = await openH5(path.join(FIXTURES, 'h5py-contiguous-f64.h5'))
    try {
      const data = f.info('/data')
      expect(data).toMatchObject({ shape: [4, 5, 6], dtype: 'float64', chunks: null, compression: { kind: 'none', shuffle: false } })
      const s = f.readSlice('/data', [[1, 3], [2, 4]])
      expect(s.shape).toEqual([2, 2, 6])
      expect(s.data).toBeInstanceOf(Float64Array)
      expect(s.data[0]).toBe((1 * 30 + 2 * 6) / 8)
      expect(Array.from(f.readSlice('/ints', [[0, 4]]).data as BigInt64Array)).toEqual([-3n, -2n, -1n, 0n])
      expect(f.info('/meta/big_endian')).toMatchObject({ dtype: 'float32', byteOrder: 'big' })
      expect(Array.from(f.readSlice('/meta/big_endian').data as Float32Array)).toEqual([0, 1, 2, 3, 4])
      const tree = f.tree()
      expect(tree.children!.map((c) => `${c.kind}:${c.path}`)).toEqual(['dataset:/data', 'dataset:/ints', 'group:/meta'])
      const meta = tree.children![2]
      expect(meta.attributes).toEqual({ channels: 'Track,ECAL,HCAL' })
      expect(meta.children![0]).toMatchObject({ name: 'big_endian', kind: 'dataset', shape: [5], dtype: 'float32', chunks: null })
    } finally {
      f.close()
    }
  })
})

describe('files written by libhdf5 (h5wasm)', () => {
  it('reads contiguous and gzip-chunked float32/float64 datasets', async () => {
    const file = tmp.file('libhdf5.h5')
    const a = Float32Array.from({ length: 8 * 10 * 3 }, (_, i) => Math.sin(i) * 100)
    const b = Float64Array.from({ length: 50 }, (_, i) => i / 3)
    await writeWithH5wasm(file, [
      { name: 'contig32', data: a, shape: [8, 10, 3], dtype: '<f' },
      { name: 'gzip32', data: a, shape: [8, 10, 3], dtype: '<f', chunks: [3, 5, 3], compression: 'gzip', compression_opts: 6 },
      { name: 'gzip64', data: b, shape: [50], dtype: '<d', chunks: [7], compression: 9 },
    ])
    const f = await openH5(file)
    try {
      expect(f.info('/contig32')).toMatchObject({ dtype: 'float32', chunks: null, compression: { kind: 'none' } })
      expect(f.info('/gzip32')).toMatchObject({ dtype: 'float32', chunks: [3, 5, 3], compression: { kind: 'gzip', level: 6, shuffle: false } })
      expect(f.info('/gzip64')).toMatchObject({ dtype: 'float64', chunks: [7], compression: { kind: 'gzip', level: 9 } })
      for (const name of ['/contig32', '/gzip32']) {
        expect(f.readSlice(name).data).toEqual(a)
        expect(f.readSlice(name, [[5, 6]]).data).toEqual(a.subarray(5 * 30, 6 * 30))
      }
      expect(f.readSlice('/gzip64', [[10, 20]]).data).toEqual(b.subarray(10, 20))
    } finally {
      f.close()
    }
  })
})

describe('files written by our writer (h5py layout)', () => {
  const rows = 23
  const rowLen = 4 * 5
  const values = (dtype: WriterDtype): Float32Array | Float64Array | Uint8Array => {
    const rng = new Rng(5)
    const arr = new { float32: Float32Array, float64: Float64Array, uint8: Uint8Array }[dtype](rows * rowLen)
    for (let i = 0; i < arr.length; i++) arr[i] = rng.random() < 0.7 ? 0 : dtype === 'uint8' ? rng.int(1, 256) : rng.random() * 50 - 10
    return arr
  }
  const cases: [string, Omit<DatasetSpec, 'name' | 'shape'>, object][] = [
    ['contiguous float32', { dtype: 'float32' }, { chunks: null, compression: { kind: 'none' } }],
    ['contiguous float64', { dtype: 'float64' }, { chunks: null, compression: { kind: 'none' } }],
    ['chunked, uncompressed', { dtype: 'float32', chunks: [4, 4, 5] }, { chunks: [4, 4, 5], compression: { kind: 'none' } }],
    ['gzip + shuffle float32', { dtype: 'float32', chunks: [5, 4, 5], compression: 'gzip', shuffle: true }, { compression: { kind: 'gzip', level: 4, shuffle: true } }],
    ['gzip + shuffle float64', { dtype: 'float64', chunks: [1, 4, 5], compression: 'gzip', level: 7, shuffle: true }, { compression: { kind: 'gzip', level: 7, shuffle: true } }],
    ['gzip, no shuffle (default)', { dtype: 'float32', chunks: [6, 2, 3], compression: 'gzip' }, { chunks: [6, 2, 3], compression: { kind: 'gzip', shuffle: false } }],
    ['lzf float32', { dtype: 'float32', chunks: [3, 4, 5], compression: 'lzf' }, { compression: { kind: 'lzf', shuffle: false } }],
    ['lzf float64', { dtype: 'float64', chunks: [7, 3, 5], compression: 'lzf' }, { compression: { kind: 'lzf' } }],
    ['contiguous uint8', { dtype: 'uint8' }, { chunks: null, compression: { kind: 'none' } }],
    ['gzip uint8, one row a chunk', { dtype: 'uint8', chunks: [1, 4, 5], compression: 'gzip' }, { chunks: [1, 4, 5], compression: { kind: 'gzip', shuffle: false } }],
  ]
  it('writes root attributes libhdf5 reads back: strings, string lists, integers, floats', async () => {
    const file = tmp.file('attributes.h5')
    const w = new H5Writer(file, [{ name: 'x', shape: [2], dtype: 'uint8' }], { title: 'détecteur', names: ['a', 'bc', ''], count: -7, scale: 0.125 })
    w.dataset('x').writeRows([3, 4])
    w.close()
    const f = await openH5(file)
    try {
      expect(f.attributesOf('/')).toEqual({ title: 'détecteur', names: ['a', 'bc', ''], count: -7, scale: 0.125 })
      expect(f.readSlice('/x').data).toEqual(new Uint8Array([3, 4]))
    } finally {
      f.close()
    }
  })

  it.each(cases)('%s', async (label, spec, expected) => {
    const file = tmp.file(`${label.replace(/\W+/g, '_')}.h5`)
    const data = values(spec.dtype)
    const w = new H5Writer(file, [{ name: 'x', shape: [rows, 4, 5], ...spec }])
    w.dataset('x').writeRows(data.subarray(0, 9 * rowLen)) // two writes, not chunk-aligned
    w.dataset('x').writeRows(data.subarray(9 * rowLen))
    w.close()
    const f = await openH5(file)
    try {
      expect(f.info('/x')).toMatchObject({ shape: [rows, 4, 5], dtype: spec.dtype, ...expected })
      expect(f.readSlice('/x').data).toEqual(data)
      expect(f.readSlice('/x', [[rows - 1, rows]]).data).toEqual(data.subarray((rows - 1) * rowLen))
    } finally {
      f.close()
    }
  })

  it('stores incompressible LZF chunks raw (filter masked) and reads them back', async () => {
    const file = tmp.file('lzf-noise.h5')
    const rng = new Rng(9)
    const noise = Float32Array.from({ length: 64 * 32 }, () => rng.random())
    const w = new H5Writer(file, [{ name: 'noise', shape: [64, 32], dtype: 'float32', chunks: [8, 32], compression: 'lzf' }])
    w.dataset('noise').writeRows(noise)
    w.close()
    const f = await openH5(file)
    try {
      expect(f.readSlice('/noise').data).toEqual(noise)
    } finally {
      f.close()
    }
  })

  it('indexes thousands of chunks (multi-level chunk B-tree)', async () => {
    const file = tmp.file('many-chunks.h5')
    const n = 5000
    const data = Float32Array.from({ length: n * 2 }, (_, i) => i)
    const w = new H5Writer(file, [{ name: 'x', shape: [n, 2], dtype: 'float32', chunks: [1, 2], compression: 'gzip' }])
    w.dataset('x').writeRows(data)
    w.close()
    const f = await openH5(file)
    try {
      for (const i of [0, 63, 64, 4095, 4096, 4999]) expect(Array.from(f.readSlice('/x', [[i, i + 1]]).data as Float32Array)).toEqual([2 * i, 2 * i + 1])
      expect(sameArray(f.readSlice('/x').data as Float32Array, data)).toBe(true)
    } finally {
      f.close()
    }
  })
})

describe('LZF and shuffle codecs', () => {
  it('round-trip sparse, repetitive and random data; refuse to grow random data', () => {
    const rng = new Rng(2)
    const sparse = new Uint8Array(new Float32Array(5000).map((_, i) => (i % 97 === 0 ? i : 0)).buffer)
    const runs = Uint8Array.from({ length: 10000 }, (_, i) => Math.floor(i / 300) % 5)
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog '.repeat(40))
    for (const input of [sparse, runs, text]) {
      const packed = lzfCompress(input)
      expect(packed).not.toBeNull()
      expect(packed!.length).toBeLessThan(input.length)
      expect(lzfDecompress(packed!, input.length)).toEqual(input)
    }
    const random = Uint8Array.from({ length: 4096 }, () => rng.int(0, 256))
    expect(lzfCompress(random)).toBeNull()
    const shuffled = shuffleBytes(sparse.subarray(0, 1001), 4)
    expect(unshuffleBytes(shuffled, 4)).toEqual(sparse.subarray(0, 1001))
    expect(Array.from(shuffleBytes(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 4))).toEqual([1, 5, 2, 6, 3, 7, 4, 8])
  })
})
