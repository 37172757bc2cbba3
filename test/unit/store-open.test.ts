import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveRunConfig } from '../../src/shared/api'
import { createServices } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { retryWhileBusy, RunStore, SCHEMA_VERSION } from '../../src/main/services/run-store'

const root = path.resolve(import.meta.dirname, '../..')
let dataDir: string

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-store-open-'))
})
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }))

const open = (): ReturnType<typeof createServices> => createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })

/** A node process that opens the data folder at `startAt` (ms since epoch), creates one run and prints its id. */
function opener(startAt: number): Promise<{ code: number | null; out: string; err: string }> {
  const script = `
    const { createServices } = await import(${JSON.stringify(path.join(root, 'src/main/services/index.ts'))})
    const { childProcessLauncher } = await import(${JSON.stringify(path.join(root, 'src/main/services/launcher.ts'))})
    const { resolveRunConfig } = await import(${JSON.stringify(path.join(root, 'src/shared/api.ts'))})
    // Sleep (not spin: two cores, four processes) until the common start.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ${startAt} - Date.now()))
    const s = createServices({ dataDir: ${JSON.stringify(dataDir)}, launcher: childProcessLauncher(), host: 'cli' })
    console.log(s.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' })).id)
    await s.close()`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (err += d))
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(guard), resolve({ code, out, err }))))
}

describe('opening a data folder', () => {
  it('a lock SQLite refuses at once (SQLITE_BUSY without waiting) is tried again; other errors are not', () => {
    const busy = (code: string): Error => Object.assign(new Error('database is locked'), { code })
    let calls = 0
    const value = retryWhileBusy(() => {
      calls++
      if (calls < 3) throw busy(calls === 1 ? 'SQLITE_BUSY' : 'SQLITE_BUSY_RECOVERY')
      return 'wal'
    })
    expect([value, calls]).toEqual(['wal', 3])
    calls = 0
    expect(() =>
      retryWhileBusy(() => {
        calls++
        throw busy('SQLITE_CORRUPT')
      }),
    ).toThrow('database is locked')
    expect(calls).toBe(1)
  })

  it('4 processes opening a fresh folder at the same moment all succeed', async () => {
    for (let trial = 0; trial < 2; trial++) {
      const dir = path.join(dataDir, `trial-${trial}`)
      fs.mkdirSync(dir)
      dataDir = dir
      // Each process imports its modules first, then all open at once.
      const startAt = Date.now() + 6000
      const results = await Promise.all([0, 1, 2, 3].map(() => opener(startAt)))
      expect(results.map((r) => r.err.trim())).toEqual(['', '', '', ''])
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
      expect(results.map((r) => Number(r.out.trim())).sort()).toEqual([1, 2, 3, 4])
      const store = new RunStore(dir)
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(store.listRuns()).toHaveLength(4)
      store.close()
      dataDir = path.dirname(dir)
    }
  }, 240_000)

  it('a damaged database opens read-only, says so, and refuses writes with the reason', async () => {
    const services = open()
    const run = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
    services.store.writeBatch(run.id, { metrics: [{ key: 'return', step: 1, value: 1, time: 0 }], episodes: [], progress: null })
    await services.close()
    // 120 metric rows with NULL values: rows a NOT NULL column can never hold, as a damaged file shows.
    const file = path.join(dataDir, 'quarkade.sqlite')
    const damage = (from: string, to: string): void => {
      const db = new Database(file)
      db.unsafeMode(true)
      db.pragma('writable_schema = ON')
      db.prepare(`UPDATE sqlite_schema SET sql = replace(sql, '${from}', '${to}') WHERE name = 'metrics'`).run()
      db.close()
    }
    damage('value REAL NOT NULL', 'value REAL')
    const db = new Database(file)
    db.exec(`WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 120)
             INSERT INTO metrics (run_id, key, step, value, time) SELECT ${run.id}, 'loss', n, NULL, 0 FROM i`)
    db.close()
    damage('value REAL', 'value REAL NOT NULL')

    const damaged = open()
    try {
      const reason = damaged.store.readOnlyReason
      expect(reason).toBe(
        `the run database ${file} is damaged (100 or more integrity errors, first: NULL value in metrics.value); it is open read-only — copy what you need, then move it away to start a fresh one`,
      )
      // What is there can still be read.
      expect(((await damaged.api.handle('runs.list', {})) as { id: number }[]).map((r) => r.id)).toEqual([run.id])
      expect(await damaged.api.handle('runs.metrics', { id: run.id, keys: ['return'] })).toMatchObject([{ key: 'return', step: 1, value: 1 }])
      // Every kind of write is refused with the reason.
      await expect(damaged.api.handle('runs.start', { env: 'catch', algo: 'dqn' })).rejects.toThrow(reason!)
      await expect(damaged.api.handle('runs.delete', { id: run.id })).rejects.toThrow(reason!)
      await expect(damaged.api.handle('files.forget', { path: '/nowhere.h5' })).rejects.toThrow(reason!)
    } finally {
      await damaged.close()
    }
    const cli = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), 'train', '--env', 'catch', '--algo', 'dqn', '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(cli.status).toBe(2)
    expect(cli.stderr.trim().split('\n').pop()).toMatch(/^quarkade: error: the run database .* is damaged \(100 or more integrity errors/)
  })

  it('a zero-length database does not reuse checkpoint folders of runs it does not hold', async () => {
    const old = path.join(dataDir, 'checkpoints', 'run-1', 'episode-100')
    fs.mkdirSync(old, { recursive: true })
    fs.writeFileSync(path.join(old, 'model.json'), '{"from":"an older database"}')
    fs.writeFileSync(path.join(dataDir, 'quarkade.sqlite'), '')
    const services = open()
    try {
      const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 1, episodes: 5 })) as { id: number }
      expect(run.id).toBe(1)
      await services.jobs.waitForEnd(run.id)
      expect(fs.readdirSync(services.store.runCheckpointDir(1))).toEqual(['episode-5'])
      // Set aside, not deleted.
      const orphaned = fs.readdirSync(path.join(dataDir, 'checkpoints', 'orphaned'))
      expect(orphaned).toEqual([expect.stringMatching(/^run-1-\d+$/)])
      expect(fs.readFileSync(path.join(dataDir, 'checkpoints', 'orphaned', orphaned[0], 'episode-100', 'model.json'), 'utf8')).toContain('an older database')
    } finally {
      await services.close()
    }
  })
})
