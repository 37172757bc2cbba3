/**
 * Direct chunk reads (src/main/h5/chunks.ts) against real h5py: files written at test time by
 * /usr/bin/python3 + h5py with several chunkings, and the values h5py itself reads back, compared
 * exactly — single events, ranges across chunk boundaries, the last partial chunk, chunks that
 * split every axis. Plus the cache's byte bound and a corrupt chunk's message.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/rng'
import { JetDataset } from '../../src/main/h5/jets'
import { sameArray, tempDir } from '../fixtures/h5/helpers'

const python = process.env.QUARKADE_PYTHON ?? '/usr/bin/python3'
const N = 23
const L = 125 * 125 * 3

// name → h5py create_dataset keywords for X_jets
const LAYOUTS: Record<string, string> = {
  gzip5: "chunks=(5, 125, 125, 3), compression='gzip'", // last chunk holds 3 of 5 rows
  gzip1shuffle: "chunks=(1, 125, 125, 3), compression='gzip', compression_opts=6, shuffle=True",
  lzf4: "chunks=(4, 125, 125, 3), compression='lzf'",
  auto: "chunks=(7, 16, 20, 2), compression='gzip'", // splits every axis, partial edge chunks everywhere
  f64: "chunks=(6, 125, 125, 3), compression='gzip', dtype='f8'",
  contiguous: 'chunks=None',
  // Read through libhdf5 (not decoded here): layout v4 index of libver='latest', chunks never written.
  latest: "chunks=(5, 125, 125, 3), compression='gzip'",
  unwritten: "chunks=(2, 125, 125, 3), compression='gzip'",
}
const THROUGH_LIBHDF5 = new Set(['contiguous', 'latest', 'unwritten'])

const tmp = tempDir('quarkade-h5-chunks-')
afterAll(() => tmp.remove())

beforeAll(() => {
  const script = `
import h5py, numpy as np, sys
rng = np.random.default_rng(5)
x = np.zeros((${N}, 125, 125, 3), dtype='f4')
mask = rng.random(x.shape) < 0.04
x[mask] = rng.exponential(3.0, mask.sum()).astype('f4')
out = sys.argv[1]
for name, kw in ${JSON.stringify(Object.entries(LAYOUTS).map(([k, v]) => [k, v]))}:
    with h5py.File(f'{out}/{name}.h5', 'w', libver='latest' if name == 'latest' else 'earliest') as f:
        if name == 'unwritten':
            d = eval(f"f.create_dataset('X_jets', shape=x.shape, dtype='f4', {kw})")
            d[4:9] = x[4:9]  # chunks 0, 1 and 5–11 are never written: h5py reads zeros there
            x_written = np.zeros_like(x); x_written[4:9] = x[4:9]
        else:
            d = eval(f"f.create_dataset('X_jets', data=x, {kw})")
        for key in ('m0', 'pt', 'y'):
            f.create_dataset(key, data=rng.random(${N}).astype('f4'))
    with h5py.File(f'{out}/{name}.h5', 'r') as f:
        f['X_jets'][...].astype('f4').tofile(f'{out}/{name}.f32')
`
  const r = spawnSync(python, ['-c', script, tmp.dir], { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`writing the h5py files failed (needs ${python} with h5py; see scripts/ensure-python.mjs): ${r.stderr}`)
}, 150_000)

function h5pyValues(name: string): Float32Array {
  const b = fs.readFileSync(tmp.file(`${name}.f32`))
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
}

describe('direct chunk reads match h5py exactly', () => {
  for (const name of Object.keys(LAYOUTS)) {
    it(name, async () => {
      const want = h5pyValues(name)
      const ds = await JetDataset.open(tmp.file(`${name}.h5`))
      try {
        const rng = new Rng(3)
        const events = [0, N - 1, N - 2, ...Array.from({ length: 20 }, () => rng.int(0, N))]
        for (const i of events) expect(sameArray(ds.event(i).image, want.subarray(i * L, (i + 1) * L)), `event ${i}`).toBe(true)
        // Ranges that start and end inside chunks, across boundaries, and through the last partial chunk.
        for (const [a, b] of [[3, 12], [4, 6], [0, N], [N - 4, N], [13, 14]]) {
          expect(sameArray(ds.range(a, b).images, want.subarray(a * L, b * L)), `events ${a}–${b}`).toBe(true)
        }
        const all: number[] = []
        for await (const batch of ds.batches(4, { shuffle: true, seed: 2 })) {
          batch.indices.forEach((i, k) => {
            expect(sameArray(batch.images.subarray(k * L, (k + 1) * L), want.subarray(i * L, (i + 1) * L))).toBe(true)
            all.push(i)
          })
        }
        expect(all.sort((p, q) => p - q)).toEqual(Array.from({ length: N }, (_, k) => k))
        // Chunked layouts were decoded here, not by libhdf5.
        if (!THROUGH_LIBHDF5.has(name)) expect(ds.file.chunkCache.decoded).toBeGreaterThan(0)
        if (name === 'latest') {
          // libhdf5 decodes whole chunk rows once; the other events of a chunk come from the cache.
          ds.event(10)
          const decoded = ds.file.chunkCache.decoded
          for (const i of [11, 12, 13, 14]) expect(sameArray(ds.event(i).image, want.subarray(i * L, (i + 1) * L))).toBe(true)
          expect(ds.file.chunkCache.decoded).toBe(decoded)
        }
      } finally {
        ds.close()
      }
    })
  }
})

describe('the decoded-chunk cache', () => {
  it('stays within its byte bound and evicts the least recently used chunk', async () => {
    const chunkBytes = 5 * L * 4
    const ds = await JetDataset.open(tmp.file('gzip5.h5'), { chunkCacheBytes: 2 * chunkBytes + 100 })
    const want = h5pyValues('gzip5')
    try {
      const cache = ds.file.chunkCache
      const rng = new Rng(9)
      for (let k = 0; k < 60; k++) {
        const i = rng.int(0, N)
        expect(sameArray(ds.event(i).image, want.subarray(i * L, (i + 1) * L))).toBe(true)
        expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes)
      }
      expect(cache.size).toBe(2)
      // A chunk read twice in a row is decoded once; a third chunk evicts the older of the two.
      ds.event(0)
      ds.event(5)
      const decoded = cache.decoded
      ds.event(1)
      ds.event(6)
      expect(cache.decoded).toBe(decoded)
      ds.event(10) // evicts chunk 0
      ds.event(7)
      expect(cache.decoded).toBe(decoded + 1)
      ds.event(2)
      expect(cache.decoded).toBe(decoded + 2)
    } finally {
      ds.close()
    }
  })

  it('a bound of 0 keeps nothing and still reads correctly', async () => {
    const ds = await JetDataset.open(tmp.file('auto.h5'), { chunkCacheBytes: 0 })
    try {
      expect(sameArray(ds.event(8).image, h5pyValues('auto').subarray(8 * L, 9 * L))).toBe(true)
      expect(ds.file.chunkCache.bytes).toBe(0)
    } finally {
      ds.close()
    }
  })
})

describe('a corrupt chunk', () => {
  it('names the file, the chunk and the event', async () => {
    const good = fs.readFileSync(tmp.file('gzip1shuffle.h5'))
    // Find event 4's chunk with h5py (its byte offset in the file) and overwrite its start.
    const r = spawnSync(python, ['-c', `import h5py; f = h5py.File(${JSON.stringify(tmp.file('gzip1shuffle.h5'))}, 'r'); print(f['X_jets'].id.get_chunk_info_by_coord((4, 0, 0, 0)).byte_offset)`], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const at = Number(r.stdout.trim())
    const bad = Buffer.from(good)
    bad.fill(0x5a, at, at + 64)
    const file = tmp.file('corrupt-chunk.h5')
    fs.writeFileSync(file, bad)
    const ds = await JetDataset.open(file)
    try {
      expect(sameArray(ds.event(3).image, h5pyValues('gzip1shuffle').subarray(3 * L, 4 * L))).toBe(true)
      expect(() => ds.event(4)).toThrow(/^corrupt-chunk\.h5: HDF5 could not read \/X_jets: chunk \(4, 0, 0, 0\) at byte \d+ is corrupt \(gzip: .+\) \(reading event 4\)$/)
      expect(ds.file.chunkCache.bytes).toBeLessThanOrEqual(ds.file.chunkCache.maxBytes)
    } finally {
      ds.close()
    }
  })
})
