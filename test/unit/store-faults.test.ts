import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'

let dataDir: string
let services: Services

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-store-faults-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'web' })
})

afterEach(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const LONG = { env: 'catch', algo: 'dqn', seed: 1, episodes: 1_000_000, checkpoint_every: 0 }

async function startedRun(request: Record<string, unknown>): Promise<RunSummary> {
  const run = (await services.api.handle('runs.start', request)) as RunSummary
  // Under way: some batches stored.
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (services.store.getRun(run.id).episodesDone > 0) {
        clearInterval(t)
        resolve()
      }
    }, 20)
  })
  return run
}

const trainerPid = (id: number): number =>
  (services.jobs as unknown as { jobs: Map<number, { process: { pid: number } }> }).jobs.get(id)!.process.pid

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('storage failures while a run trains', () => {
  it('a full database (SQLITE_FULL) fails that run and stops its trainer; the host keeps serving', async () => {
    const run = await startedRun(LONG)
    const pid = trainerPid(run.id)
    // The database may not grow by one page more: the next batches cannot be stored.
    const pages = services.store.db.pragma('page_count', { simple: true }) as number
    services.store.db.pragma(`max_page_count = ${pages}`)
    const ended = await services.jobs.waitForEnd(run.id)
    expect(ended.status).toBe('failed')
    expect(ended.statusReason).toMatch(/^the disk holding the run database is full \(SQLITE_FULL\); the trainer was stopped/)
    expect(isAlive(pid)).toBe(false)
    expect(services.jobs.active).toEqual([])

    // Space again: the host never went down, and everything stored before the failure is there.
    services.store.db.pragma('max_page_count = 1073741823')
    expect(services.store.metrics(run.id, ['return']).length).toBeGreaterThan(0)
    const next = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 2, episodes: 10 })) as RunSummary
    expect((await services.jobs.waitForEnd(next.id)).status).toBe('completed')
  })

  it('a run deleted by another host while it trains fails alone; other runs finish', async () => {
    const doomed = await startedRun(LONG)
    const pid = trainerPid(doomed.id)
    const other = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 3, episodes: 40 })) as RunSummary
    const events: string[] = []
    services.api.subscribe((e) => void (e.type === 'run.deleted' && events.push(`deleted ${e.runId}`)))

    // Another host's connection deletes the run (cascading to its metrics); the next batch breaks a foreign key.
    const otherHost = new Database(path.join(dataDir, 'quarkade.sqlite'))
    otherHost.pragma('busy_timeout = 5000')
    otherHost.pragma('foreign_keys = ON')
    otherHost.prepare('DELETE FROM runs WHERE id = ?').run(doomed.id)
    otherHost.close()

    const ended = await services.jobs.waitForEnd(doomed.id)
    expect(ended.status).toBe('failed')
    expect(ended.statusReason).toBe('the run was deleted (by another window or host) while it trained; its trainer was stopped')
    expect(isAlive(pid)).toBe(false)
    expect(events).toEqual([`deleted ${doomed.id}`])
    expect((await services.jobs.waitForEnd(other.id)).status).toBe('completed')
    expect(((await services.api.handle('runs.list', {})) as RunSummary[]).map((r) => r.id)).toEqual([other.id])
  })
})

/** A 1 MiB tmpfs: a real file system that fills up (Linux, root only). */
function mountSmallDisk(dir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0
}

describe('quarkade train on a disk that fills up', () => {
  const disk = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-full-disk-'))
  const mounted = mountSmallDisk(disk)
  afterEach(() => {
    if (mounted) spawnSync('umount', [disk])
    fs.rmSync(disk, { recursive: true, force: true })
  })

  it.skipIf(!mounted)('fails the run with one line naming the full disk, no stack trace', () => {
    const cli = path.join(import.meta.dirname, '../../bin/quarkade.mjs')
    const dir = path.join(disk, 'data')
    const r = spawnSync(process.execPath, [cli, 'train', '--env', 'catch', '--algo', 'dqn', '--episodes', '1000000', '--checkpoint-every', '0', '--data-dir', dir, '--json'], {
      encoding: 'utf8',
      timeout: 110_000,
    })
    expect(r.status).toBe(1)
    const lines = r.stderr.split(/\r?\n/).filter((l) => l.trim() && !/ · episode /.test(l))
    expect(lines).toEqual([expect.stringMatching(/^run 1 failed: the disk holding the run database is full \(SQLITE_FULL\)/)])
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ run_id: 1, status: 'failed' })
  })
})
