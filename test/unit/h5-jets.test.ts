/** Synthetic jet files (writeJetFile) and reading them back with JetDataset: events and batches. */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateJetEvent, imageLength, jetObservableOptions, jetMassPt } from '../../src/core/jets'
import { openH5 } from '../../src/main/h5/file'
import { JetDataset, type JetBatch } from '../../src/main/h5/jets'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { FIXTURES, h5pyEvent, sameArray, tempDir } from '../fixtures/h5/helpers'

const tmp = tempDir()
afterAll(() => tmp.remove())
const L = imageLength()
const N = 40
const SEED = 11
const files: Record<string, string> = {}

beforeAll(async () => {
  files.gzip = tmp.file('gzip.h5')
  files.lzf = tmp.file('lzf.h5')
  files.none = tmp.file('none.h5')
  files.gzip8 = tmp.file('gzip8.h5')
  const r = await writeJetFile(files.gzip, { n: N, seed: SEED, compression: 'gzip', shuffle: true })
  expect(r).toMatchObject({ events: N, quarks: N / 2, gluons: N / 2 })
  await writeJetFile(files.lzf, { n: N, seed: SEED, compression: 'lzf', chunkRows: 4 })
  await writeJetFile(files.none, { n: N, seed: SEED, compression: 'none', chunkRows: 1 })
  await writeJetFile(files.gzip8, { n: N, seed: SEED, compression: 'gzip', chunkRows: 8 })
  files.contig = tmp.file('contig.h5')
  await writeJetFile(files.contig, { n: N, seed: SEED, compression: 'none', layout: 'contiguous' })
})

describe('writeJetFile', () => {
  it('writes exactly the CMS schema, chunked and compressed like h5py', async () => {
    const f = await openH5(files.gzip)
    try {
      const tree = f.tree()
      expect(tree.children!.map((c) => ({ name: c.name, shape: c.shape, dtype: c.dtype, chunks: c.chunks, compression: c.compression }))).toEqual([
        {
          name: 'X_jets',
          shape: [N, 125, 125, 3],
          dtype: 'float32',
          chunks: [1, 125, 125, 3],
          compression: {
            kind: 'gzip',
            level: 4,
            shuffle: true,
            filters: [
              { id: 2, name: 'shuffle', cdValues: [4] },
              { id: 1, name: 'deflate', cdValues: [4] },
            ],
          },
        },
        { name: 'm0', shape: [N], dtype: 'float64', chunks: null, compression: { kind: 'none', shuffle: false, filters: [] } },
        { name: 'pt', shape: [N], dtype: 'float64', chunks: null, compression: { kind: 'none', shuffle: false, filters: [] } },
        { name: 'y', shape: [N], dtype: 'float32', chunks: null, compression: { kind: 'none', shuffle: false, filters: [] } },
      ])
    } finally {
      f.close()
    }
    // The same layout and filters as h5py's own gzip + shuffle file.
    const h = await openH5(path.join(FIXTURES, 'h5py-gzip-shuffle.h5'))
    const w = await openH5(files.gzip)
    try {
      expect(w.info('/X_jets').compression).toEqual(h.info('/X_jets').compression)
      expect(w.info('/X_jets').chunks).toEqual(h.info('/X_jets').chunks)
    } finally {
      h.close()
      w.close()
    }
    const lzf = await openH5(files.lzf)
    try {
      expect(lzf.info('/X_jets')).toMatchObject({ chunks: [4, 125, 125, 3], compression: { kind: 'lzf', filters: [{ id: 32000, name: 'lzf', cdValues: [4, 261, 4 * L * 4] }] } })
    } finally {
      lzf.close()
    }
  })

  it('every kind of file holds the generator\'s events; m0 and pt agree with the images', async () => {
    for (const kind of ['gzip', 'lzf', 'none', 'gzip8', 'contig']) {
      const ds = await JetDataset.open(files[kind])
      try {
        expect(ds.events).toBe(N)
        expect(ds.channels).toEqual(['Track', 'ECAL', 'HCAL'])
        for (const i of [0, 5, 7, 8, 39]) {
          const jet = generateJetEvent(SEED, i)
          const e = ds.event(i)
          expect(sameArray(e.image, jet.image), `${kind} event ${i}`).toBe(true)
          expect(e.m0).toBe(jet.m0)
          expect(e.pt).toBe(jet.pt)
          expect(e.y).toBe(jet.y)
          const o = jetMassPt(e.image, jetObservableOptions())
          expect(o.mass).toBe(e.m0)
          expect(o.pt).toBe(e.pt)
        }
      } finally {
        ds.close()
      }
    }
  })

  it('refuses bad options and leaves no file behind', async () => {
    await expect(writeJetFile(tmp.file('zero.h5'), { n: 0 })).rejects.toThrow(/positive integer/)
    await expect(writeJetFile(path.join(tmp.dir, 'no', 'such', 'dir.h5'), { n: 2 })).rejects.toThrow(/ENOENT/)
  })
})

describe('JetDataset', () => {
  it('reads the h5py fixture, with per-file channel names', async () => {
    const ds = await JetDataset.open(path.join(FIXTURES, 'h5py-lzf.h5'), { channels: ['ECAL', 'HCAL', 'Tracks'] })
    try {
      expect(ds.channels).toEqual(['ECAL', 'HCAL', 'Tracks'])
      expect(ds.chunkRows).toBe(2)
      expect(sameArray(ds.event(3).image, h5pyEvent(3))).toBe(true)
      expect(ds.event(3)).toMatchObject({ m0: 4.5, pt: 103, y: 1 })
    } finally {
      ds.close()
    }
    await expect(JetDataset.open(path.join(FIXTURES, 'h5py-lzf.h5'), { channels: ['a', 'b'] })).rejects.toThrow(/2 channel names given for images with 3 channels/)
  })

  it('single events from multi-event chunks come from the cache of decoded chunks', async () => {
    const ds = await JetDataset.open(files.gzip8)
    try {
      const cache = ds.file.chunkCache
      for (let i = 0; i < 8; i++) expect(sameArray(ds.event(i).image, ds.range(i, i + 1).images)).toBe(true)
      expect(cache.decoded).toBe(1) // chunk 0 (events 0–7) decoded once
      ds.event(9)
      expect(cache.decoded).toBe(2)
      expect(cache.bytes).toBe(2 * 8 * L * 4)
    } finally {
      ds.close()
    }
  })

  it('sequential batches cover the range in order, in contiguous chunk-aligned reads', async () => {
    const ds = await JetDataset.open(files.gzip8)
    try {
      const spy = vi.spyOn(ds.file, 'readRowsFloat32')
      const batches: JetBatch[] = []
      for await (const b of ds.batches(6, { start: 3, end: 37 })) batches.push(b)
      const reads = spy.mock.calls.slice()
      expect(batches.map((b) => b.size)).toEqual([6, 6, 6, 6, 6, 4])
      expect(batches.flatMap((b) => [...b.indices])).toEqual(Array.from({ length: 34 }, (_, k) => 3 + k))
      const b = batches[1]
      expect(b.shape).toEqual([6, 125, 125, 3])
      expect(b.images).toHaveLength(6 * L)
      expect(sameArray(b.images.subarray(2 * L, 3 * L), ds.event(b.indices[2]).image)).toBe(true)
      expect(Array.from(b.y)).toEqual([...b.indices].map((i) => ds.event(i).y))
      expect(b.m0[0]).toBeCloseTo(ds.event(b.indices[0]).m0, 4)
      for (const [, start, rows] of reads) {
        expect(rows).toBeGreaterThan(1)
        expect((start as number) % 8 === 0 || start === 3).toBe(true)
      }
      const dropped: number[] = []
      for await (const x of ds.batches(6, { start: 3, end: 37, dropLast: true })) dropped.push(x.size)
      expect(dropped).toEqual([6, 6, 6, 6, 6])
    } finally {
      ds.close()
    }
  })

  it('shuffled batches: every event once, order set by the seed, read as shuffled contiguous blocks', async () => {
    const ds = await JetDataset.open(files.gzip8)
    try {
      const order = async (seed: number): Promise<number[]> => {
        const out: number[] = []
        for await (const b of ds.batches(5, { shuffle: true, seed, bufferEvents: 16 })) out.push(...b.indices)
        return out
      }
      const spy = vi.spyOn(ds.file, 'readRowsFloat32')
      const a = await order(1)
      const reads = spy.mock.calls.map((c) => [c[1], c[2]] as [number, number])
      expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, k) => k))
      expect(a).not.toEqual(Array.from({ length: N }, (_, k) => k))
      expect(await order(1)).toEqual(a)
      expect(await order(2)).not.toEqual(a)
      // Reads are whole chunks, never single events, and cover the file once.
      expect(reads.every(([s, n]) => s % 8 === 0 && n % 8 === 0)).toBe(true)
      expect(reads.reduce((t, [, n]) => t + n, 0)).toBe(N)
      expect(reads.map(([s]) => s)).not.toEqual([...reads.map(([s]) => s)].sort((x, y) => x - y))
    } finally {
      ds.close()
    }
  })
})
