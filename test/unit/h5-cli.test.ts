/** `quarkade inspect` and `quarkade gen jets`, through the exported command functions. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { genCommand, inspectCommand } from '../../src/main/hosts/cli-data'
import { H5Writer } from '../../src/main/h5/writer'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { FIXTURES, tempDir } from '../fixtures/h5/helpers'

const tmp = tempDir()
afterAll(() => tmp.remove())

async function cli(fn: (args: string[]) => Promise<number>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true))
  try {
    const code = await fn(args)
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^quarkade: error: /)
  return lines[0]
}

describe('quarkade gen jets', () => {
  const out = tmp.file('sample.h5')

  it('writes a sample and reports it as JSON', async () => {
    const r = await cli(genCommand, 'jets', '--n', '6', '--out', out, '--seed', '3', '--compression', 'lzf', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ file: out, events: 6, quarks: 3, gluons: 3, seed: 3, compression: 'lzf', chunk_rows: 1 })
    expect(fs.statSync(out).size).toBeGreaterThan(1000)
  })

  it('refuses to replace a file unless --force, and says so in one line', async () => {
    const again = await cli(genCommand, 'jets', '--n', '2', '--out', out)
    expect(again.code).toBe(1)
    expect(oneErrorLine(again.stderr)).toContain('sample.h5: already exists (use --force to replace it)')
    const forced = await cli(genCommand, 'jets', '--n', '4', '--out', out, '--force', '--compression', 'none', '--chunk-rows', '2')
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/^wrote 4 jets \(2 quark, 2 gluon\) to .*sample\.h5: .* none/)
    const shuffled = await cli(genCommand, 'jets', '--n', '2', '--out', out, '--force', '--shuffle', '--json')
    expect(shuffled.code).toBe(0)
    expect(JSON.parse(shuffled.stdout)).toMatchObject({ compression: 'gzip', shuffle: true })
    const info = await cli(inspectCommand, out, '--json')
    expect(JSON.parse(info.stdout).tree.children[0].compression).toMatchObject({ kind: 'gzip', level: 4, shuffle: true })
  })

  it.each([
    [[], 'gen needs what to generate'],
    [['images', '--n', '3', '--out', 'x.h5'], 'unknown generator "images"'],
    [['jets', '--out', 'x.h5'], '--n is required'],
    [['jets', '--n', 'ten', '--out', 'x.h5'], '--n expects an integer, got "ten"'],
    [['jets', '--n', '0', '--out', 'x.h5'], '--n must be at least 1'],
    [['jets', '--n', '3'], '--out is required'],
    [['jets', '--n', '3', '--out', 'x.h5', '--compression', 'zip'], '--compression must be gzip, lzf or none'],
    [['jets', '--n', '3', '--out', 'x.h5', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['jets', '--n', '3', '--out', 'x.h5', '--compression', 'lzf', '--shuffle'], '--shuffle goes with --compression gzip'],
  ])('usage error %j → exit 2', async (args, message) => {
    const r = await cli(genCommand, ...args)
    expect(r.code).toBe(2)
    expect(oneErrorLine(r.stderr)).toContain(message)
  })

  it('a folder that does not exist → exit 1', async () => {
    const r = await cli(genCommand, 'jets', '--n', '2', '--out', path.join(tmp.dir, 'nope', 'x.h5'))
    expect(r.code).toBe(1)
    expect(oneErrorLine(r.stderr)).toContain('does not exist')
  })
})

describe('quarkade inspect', () => {
  it('--json: tree, shapes, dtypes, chunking, compression and the detected schema', async () => {
    const r = await cli(inspectCommand, path.join(FIXTURES, 'h5py-gzip-shuffle.h5'), '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.size_bytes).toBeGreaterThan(0)
    expect(j.tree.children.map((c: { name: string }) => c.name)).toEqual(['X_jets', 'm0', 'pt', 'y'])
    expect(j.tree.children[0]).toMatchObject({ kind: 'dataset', shape: [6, 125, 125, 3], dtype: 'float32', chunks: [1, 125, 125, 3], compression: { kind: 'gzip', level: 4, shuffle: true } })
    expect(j.schema).toMatchObject({ ok: true, events: 6, channels_last: true, image_shape: [125, 125, 3], channels: ['Track', 'ECAL', 'HCAL'], dtypes: { m0: 'float32', y: 'float32' } })
  })

  it('human output, and per-file channel names', async () => {
    const r = await cli(inspectCommand, path.join(FIXTURES, 'h5py-lzf.h5'), '--channels', 'ECAL,HCAL,Tracks')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('/X_jets  (6, 125, 125, 3) float32  chunks (2, 125, 125, 3)  lzf')
    expect(r.stdout).toContain('/m0  (6,) float64  contiguous  uncompressed')
    expect(r.stdout).toContain('jet schema: yes — 6 events, images 125 × 125 × 3 channels-last (ECAL, HCAL, Tracks)')
  })

  it('an HDF5 file that is not a jet file: schema problem shown (exit 0), or exit 1 with --jets', async () => {
    const chw = tmp.file('chw.h5')
    new H5Writer(chw, [
      { name: 'X_jets', shape: [2, 3, 125, 125], dtype: 'float32', chunks: [1, 3, 125, 125], compression: 'gzip' },
      { name: 'm0', shape: [2], dtype: 'float32' },
      { name: 'pt', shape: [2], dtype: 'float32' },
      { name: 'y', shape: [2], dtype: 'float32' },
    ]).close()
    const r = await cli(inspectCommand, chw, '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).schema).toMatchObject({ ok: false, code: 'channels_first' })
    const human = await cli(inspectCommand, chw)
    expect(human.stdout).toContain('jet schema: no — X_jets is channels-first (2, 3, 125, 125)')
    const strict = await cli(inspectCommand, chw, '--jets')
    expect(strict.code).toBe(1)
    expect(oneErrorLine(strict.stderr)).toContain('chw.h5: X_jets is channels-first')
  })

  it('bad files: one line naming the file, exit 1', async () => {
    const notes = tmp.file('notes.txt')
    fs.writeFileSync(notes, 'not hdf5\n')
    const a = await cli(inspectCommand, notes, '--json')
    expect(a.code).toBe(1)
    expect(a.stdout).toBe('')
    expect(oneErrorLine(a.stderr)).toMatch(/notes\.txt: is not an HDF5 file/)
    const cut = tmp.file('cut.h5')
    fs.writeFileSync(cut, fs.readFileSync(path.join(FIXTURES, 'h5py-lzf.h5')).subarray(0, 5000))
    const b = await cli(inspectCommand, cut)
    expect(b.code).toBe(1)
    expect(oneErrorLine(b.stderr)).toMatch(/cut\.h5: is truncated/)
    const c = await cli(inspectCommand, tmp.file('missing.h5'))
    expect(c.code).toBe(1)
    expect(oneErrorLine(c.stderr)).toContain('missing.h5: no such file')
  })

  it.each([
    [[], 'inspect needs a file'],
    [['a.h5', 'b.h5'], 'unexpected argument "b.h5"'],
    [['a.h5', '--color'], "Unknown option '--color'"],
  ])('usage error %j → exit 2', async (args, message) => {
    const r = await cli(inspectCommand, ...args)
    expect(r.code).toBe(2)
    expect(oneErrorLine(r.stderr)).toContain(message)
  })
})

describe('quarkade train --env jets --algo vae', () => {
  it('trains a VAE on a generated file and prints the physics metrics as JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-vae-cli-'))
    const file = path.join(dir, 'jets.h5')
    await writeJetFile(file, { n: 64, seed: 2, compression: 'gzip', chunkRows: 1 })
    const bin = path.resolve(import.meta.dirname, '../../bin/quarkade.mjs')
    const args = ['train', '--env', 'jets', '--algo', 'vae', '--data', file, '--epochs', '1', '--seed', '3', '--set', 'batch_size=16', '--data-dir', path.join(dir, 'runs'), '--json']
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 600_000 })
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(out).toMatchObject({ status: 'completed', env: 'jets-v1', algo: 'vae', epochs: 1, data: file })
    for (const key of ['val_loss', 'mse', 'w1_mass', 'w1_pt', 'latent_auc', 'images_per_s']) expect(Number.isFinite(out[key])).toBe(true)
    // A file that is not a jet file is refused before anything runs.
    const notJets = path.join(dir, 'notes.h5')
    fs.writeFileSync(notJets, 'text')
    const bad = spawnSync(process.execPath, [bin, 'train', '--env', 'jets', '--algo', 'vae', '--data', notJets, '--data-dir', path.join(dir, 'runs')], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/notes\.h5: .*not an HDF5 file/)
    const noData = spawnSync(process.execPath, [bin, 'train', '--env', 'jets', '--algo', 'vae', '--data-dir', path.join(dir, 'runs')], { encoding: 'utf8' })
    expect(noData.status).toBe(2)
    expect(noData.stderr).toMatch(/jets needs a data file/)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 600_000)
})
