/**
 * Sweeps on Slurm, for real: on the single-node cluster the Slurm tests use (test/slurm-cluster.ts),
 * `quarkade sweep --on slurm --wait` submits a sweep of short Catch runs as one array job, follows
 * it and imports every task's run; each sweep run records its Slurm task and state. Skipped only
 * where the machine cannot run Slurm (printed why).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RunStore } from '../../src/main/services/run-store'
import { slurmClusterProblem, startSlurmCluster, type SlurmCluster } from '../slurm-cluster'

const root = path.resolve(import.meta.dirname, '../..')
const problem = slurmClusterProblem()
if (problem) console.warn(`sweeps-slurm.test.ts: the tests on a Slurm cluster are skipped: ${problem}`)

describe.skipIf(problem !== null)('a sweep on a single-node Slurm cluster', () => {
  let cluster: SlurmCluster
  let tmp: string

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-sweep-slurm-'))
    cluster = await startSlurmCluster()
  }, 90_000)
  afterAll(async () => {
    await cluster?.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }, 120_000)

  it('quarkade sweep --on slurm --wait runs every configuration × seed as a task and brings each run home', () => {
    const dataDir = path.join(tmp, 'data')
    const env = { ...cluster.env, QUARKADE_SLURM_POLL_MS: '1000' }
    const sweepArgs = ['sweep', '--env', 'catch', '--grid', 'lr=1e-3,5e-4', '--seeds', '2', '--budget-episodes', '15', '--seed', '3', '--on', 'slurm', '--time', '10:00', '--sbatch-line', '#SBATCH --mem=500M', '--data-dir', dataDir]
    // First the batch script, shown before anything is submitted or written.
    const shown = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...sweepArgs, '--print-script', '--json'], { encoding: 'utf8', timeout: 120_000, env })
    expect(shown.status, shown.stderr).toBe(0)
    const preview = JSON.parse(shown.stdout) as { dir: string; script: string; tasks: number }
    expect(preview.tasks).toBe(4)
    expect(preview.script).toContain('#SBATCH --array=0-3')
    expect(preview.script).toContain('#SBATCH --mem=500M')
    expect(shown.stderr).toMatch(/^not submitted: 4 tasks into /)
    expect(fs.existsSync(preview.dir)).toBe(false)
    const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...sweepArgs, '--slurm-dir', preview.dir, '--wait', '--json'], { encoding: 'utf8', timeout: 600_000, env })
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!)
    // …and the one submitted, saved in the submission folder, is that script (only its "made on" time differs).
    expect(out.slurm.submission_dir).toBe(preview.dir)
    const sansDate = (script: string): string => script.replace(/^# Made by Quarkade .*$/m, '')
    expect(sansDate(fs.readFileSync(path.join(preview.dir, 'job.sbatch'), 'utf8'))).toBe(sansDate(preview.script))
    expect(out).toMatchObject({ status: 'completed', on: 'slurm', runs: 4, counts: { done: 4, failed: 0 } })
    const jobId = out.slurm.job_id as string
    expect(jobId).toMatch(/^\d+$/)
    expect(fs.readFileSync(path.join(out.slurm.submission_dir, 'job.sbatch'), 'utf8')).toContain('#SBATCH --mem=500M')
    // Task i is the i-th run, seed-major as locally.
    const tasks = out.run_list.map((x: { slurm_id: string }) => x.slurm_id).sort()
    expect(tasks).toEqual([0, 1, 2, 3].map((i) => `${jobId}_${i}`))
    for (const run of out.run_list) expect(run).toMatchObject({ status: 'done', slurm_state: 'completed', episodes: 15 })

    // status reads the same from the store once the sweep has landed.
    const status = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), 'sweep', 'status', String(out.sweep_id), '--data-dir', dataDir, '--json'], { encoding: 'utf8', timeout: 120_000, env })
    expect(status.status, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toEqual(out)

    const store = new RunStore(dataDir)
    try {
      const runs = store.listRuns()
      expect(runs).toHaveLength(4)
      for (const run of runs) expect(run).toMatchObject({ status: 'completed', episodesDone: 15, env: 'catch-v1', algo: 'dqn' })
      expect(new Set(runs.map((x) => x.config.params.lr))).toEqual(new Set([1e-3, 5e-4]))
      const rows = store.db.prepare('SELECT backend, slurm_job_id, slurm_task, slurm_state, run_id FROM sweep_runs ORDER BY slurm_task').all()
      expect(rows).toEqual([0, 1, 2, 3].map((i) => ({ backend: 'slurm', slurm_job_id: jobId, slurm_task: i, slurm_state: 'completed', run_id: expect.any(Number) })))
    } finally {
      store.close()
    }
  }, 600_000)

  it('a task cancelled with scancel shows as cancelled; sweep resubmit submits it again and it lands too', async () => {
    const dataDir = path.join(tmp, 'data-resubmit')
    const env = { ...cluster.env, QUARKADE_SLURM_POLL_MS: '1000' }
    const quarkade = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 600_000, env })
    const started = quarkade('sweep', '--env', 'catch', '--grid', 'lr=1e-3,5e-4', '--seeds', '1', '--budget-episodes', '300', '--seed', '5', '--on', 'slurm', '--time', '10:00', '--json')
    expect(started.status, started.stderr).toBe(0)
    const sweep = JSON.parse(started.stdout) as { sweep_id: number; slurm: { job_id: string } }
    // Follow it with `sweep status` (one look at the cluster each): once task 1 trains, scancel it.
    type Status = { status: string; counts: Record<string, number>; run_list: { slurm_id: string; status: string; slurm_state: string }[] }
    const look = (): Status => {
      const r = quarkade('sweep', 'status', String(sweep.sweep_id), '--json')
      expect(r.status, r.stderr).toBe(0)
      return JSON.parse(r.stdout) as Status
    }
    while (look().run_list[1].slurm_state !== 'running') await new Promise((resolve) => setTimeout(resolve, 500))
    const cancelled = spawnSync('scancel', [`${sweep.slurm.job_id}_1`], { encoding: 'utf8', env })
    expect(cancelled.status, cancelled.stderr).toBe(0)
    let status: Status
    for (;;) {
      status = look()
      if (status.status !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    expect(status.run_list.map((x) => [x.slurm_id, x.slurm_state])).toEqual([
      [`${sweep.slurm.job_id}_0`, 'completed'],
      [`${sweep.slurm.job_id}_1`, 'cancelled'],
    ])
    const again = quarkade('sweep', 'resubmit', String(sweep.sweep_id), '--wait', '--json')
    expect(again.status, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/1 task submitted again as Slurm job \d+/)
    const after = JSON.parse(again.stdout.trim().split('\n').pop()!) as Status
    expect(after).toMatchObject({ status: 'completed', counts: { done: 2, failed: 0, cancelled: 0 } })
    expect(after.run_list[1].slurm_id).not.toBe(`${sweep.slurm.job_id}_1`)
    expect(after.run_list[1]).toMatchObject({ status: 'done', slurm_state: 'completed' })
    // Nothing left to submit again: the command says so.
    const none = quarkade('sweep', 'resubmit', String(sweep.sweep_id))
    expect(none.status).not.toBe(0)
    expect(none.stderr).toContain('has no failed, cancelled or timed-out task to submit again')
  }, 600_000)
})
