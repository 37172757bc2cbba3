/**
 * Training on Slurm, for real: the batch script and its options; then, on a single-node cluster
 * started for this file (test/slurm-cluster.ts), an array of three short Catch runs whose results
 * come back into a fresh run store, a task cancelled with scancel, that task submitted again, and
 * imports that never duplicate. Skipped only where the machine cannot run Slurm (printed why).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { RunStore } from '../../src/main/services/run-store'
import {
  cancel,
  importStore,
  portableTrainArgs,
  prepareSubmission,
  resubmit,
  slurmAvailability,
  stateFromMarker,
  submit,
  syncSubmission,
  taskStatuses,
  watchSubmission,
  type SlurmEvent,
  type TaskProgress,
} from '../../src/main/slurm'
import { batchScript, checkSlurmOptions, shellQuote, timeLimitSeconds } from '../../src/main/slurm/script'
import { readSubmission } from '../../src/main/slurm/submission'
import { tryLock } from '../../src/main/slurm/lock'
import { slurmClusterProblem, startSlurmCluster, type SlurmCluster } from '../slurm-cluster'

const root = path.resolve(import.meta.dirname, '../..')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-slurm-test-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const quarkadeCommand = { node: '/usr/bin/node', bin: '/opt/quarkade/bin/quarkade.mjs' }

describe('the batch script', () => {
  it('holds the options as #SBATCH lines and is valid bash', () => {
    const script = batchScript({
      dir: '/shared/me/sweep-1',
      tasks: 5,
      options: { partition: 'gpu,short', time: '1-02:00:00', cpusPerTask: 4, gpusPerTask: 2, account: 'phys-ml', jobName: 'lr-sweep', extraLines: ['#SBATCH --mem=8G', '#SBATCH --constraint=a100'] },
      quarkade: { node: "/opt/node's/bin/node", bin: '/opt/quarkade/bin/quarkade.mjs' },
      madeBy: 'test',
    })
    const header = script.split('\n').filter((l) => l.startsWith('#SBATCH'))
    expect(header).toEqual([
      '#SBATCH --job-name=lr-sweep',
      '#SBATCH --array=0-4',
      '#SBATCH --output=/shared/me/sweep-1/logs/%A_%a.out',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --partition=gpu,short',
      '#SBATCH --time=1-02:00:00',
      '#SBATCH --gres=gpu:2',
      '#SBATCH --account=phys-ml',
      '#SBATCH --mem=8G',
      '#SBATCH --constraint=a100',
    ])
    // sbatch reads #SBATCH lines only before the first command.
    const firstCommand = script.split('\n').findIndex((l) => l.trim() && !l.startsWith('#'))
    expect(script.split('\n').findLastIndex((l) => l.startsWith('#SBATCH'))).toBeLessThan(firstCommand)
    expect(script).toContain('export QUARKADE_DATA_DIR="$attempt/store"')
    expect(script).toContain(`${shellQuote("/opt/node's/bin/node")} '/opt/quarkade/bin/quarkade.mjs' train "\${args[@]}" --data-dir "$QUARKADE_DATA_DIR" --json`)
    const file = path.join(tmp, 'syntax.sbatch')
    fs.writeFileSync(file, script)
    expect(spawnSync('bash', ['-n', file], { encoding: 'utf8' }).stderr).toBe('')
  })

  it('reads Slurm time limits in every format sbatch takes', () => {
    expect(['90', '1:30', '1:00:00', '2-03', '1-02:03', '1-0:0:5', 'UNLIMITED'].map(timeLimitSeconds)).toEqual([5400, 90, 3600, 183600, 93780, 86405, null])
  })

  it('quotes paths for bash so that any character survives', () => {
    for (const text of ["it's", 'a b', '$(rm -rf ~)', '`x`', 'back\\slash', '"q"']) {
      expect(spawnSync('bash', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' }).stdout).toBe(text)
    }
  })

  it.each([
    [{ extraLines: ['#SBATCH --mem=4G\nrm -rf ~'] }, 'must be one line'],
    [{ extraLines: ['#SBATCH --mem=4G\r#SBATCH --x'] }, 'must be one line'],
    [{ extraLines: ['rm -rf ~'] }, 'must start with "#SBATCH "'],
    [{ extraLines: ['#SBATCH  '] }, 'names an option'],
    [{ extraLines: ['#SBATCH --output=/etc/passwd'] }, 'Quarkade sets --output itself'],
    [{ extraLines: ['#SBATCH --array=0-10000'] }, 'Quarkade sets --array itself'],
    [{ extraLines: ['#SBATCH -o /tmp/x'] }, 'Quarkade sets -o itself'],
    [{ extraLines: ['#SBATCH --export=NONE'] }, 'Quarkade sets --export itself'],
    [{ partition: 'debug; rm -rf /' }, '--partition "debug; rm -rf /" is not a partition name'],
    [{ account: '$(id)' }, 'is not an account name'],
    [{ time: '1 day' }, 'is not a Slurm time limit'],
    [{ cpusPerTask: 0 }, '--cpus-per-task must be a whole number from 1 to 4096'],
    [{ gpusPerTask: 1.5 }, '--gpus must be a whole number'],
    [{ jobName: 'a\nb' }, 'job name'],
  ])('refuses %o in one line', (options, message) => {
    expect(() => checkSlurmOptions(options)).toThrow(message)
  })

  it('refuses a submission folder sbatch cannot name in #SBATCH lines, before writing anything', () => {
    const dir = path.join(tmp, 'with space')
    expect(() => prepareSubmission({ dir, tasks: [{ argv: ['--env', 'catch'] }], options: {}, quarkade: quarkadeCommand, version: 'test' })).toThrow('must be a plain path')
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('makes train arguments work on a compute node: absolute files, saved inputs copied, --data-dir and --json dropped', () => {
    const dataDir = path.join(tmp, 'portable-data')
    const dir = path.join(tmp, 'portable-sub')
    fs.mkdirSync(path.join(dataDir, 'rewards'), { recursive: true })
    fs.writeFileSync(path.join(dataDir, 'rewards', 'careful.json'), JSON.stringify({ name: 'careful', weights: { w_death: -2000 } }))
    const cwd = process.cwd()
    const argv = portableTrainArgs(['--env', 'maze', '--reward', 'careful', '--data=events.h5', '--data-dir', dataDir, '--json', '--seed', '3'], { dataDir, dir })
    expect(argv).toEqual(['--env', 'maze', '--reward', path.join(dir, 'inputs/rewards/careful.json'), '--data', path.join(cwd, 'events.h5'), '--seed', '3'])
    expect(JSON.parse(fs.readFileSync(argv[3], 'utf8')).weights.w_death).toBe(-2000)
    expect(() => portableTrainArgs(['--resume', '3'], { dataDir, dir })).toThrow('cannot run on Slurm')
  })
})

describe('submission locks', () => {
  it('keep a second holder out while the first lives, and give way when its process is gone', () => {
    const file = path.join(tmp, 'import.lock')
    const release = tryLock(file)!
    expect(release).toBeTypeOf('function')
    expect(tryLock(file)).toBeNull()
    release()
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    fs.writeFileSync(file, `${os.hostname()} ${dead.stdout} ${Date.now()}`)
    const taken = tryLock(file)
    expect(fs.readFileSync(file, 'utf8')).toMatch(new RegExp(`^${os.hostname()} ${process.pid} `))
    taken!()
    expect(fs.existsSync(file)).toBe(false)
  })
})

describe('where Slurm is missing', () => {
  it('says so in one clear line', async () => {
    const r = await slurmAvailability({ ...process.env, PATH: path.join(tmp, 'empty-path') })
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^Slurm is not installed on this machine \(no sbatch on PATH\)/) })
  })

  it('quarkade train --on slurm exits with that line and writes nothing', () => {
    const dataDir = path.join(tmp, 'no-slurm-data')
    const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), 'train', '--env', 'catch', '--episodes', '10', '--on', 'slurm', '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PATH: path.join(tmp, 'empty-path') },
    })
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toMatch(/^quarkade: error: Slurm is not installed on this machine \(no sbatch on PATH\)/)
    expect(fs.existsSync(dataDir)).toBe(false)
  })
})

const problem = slurmClusterProblem()
if (problem) console.warn(`slurm.test.ts: the tests on a Slurm cluster are skipped: ${problem}`)

describe.skipIf(problem !== null)('on a single-node Slurm cluster', () => {
  let cluster: SlurmCluster
  let services: Services
  const userData = path.join(tmp, 'user-data')
  const dir = path.join(tmp, 'sweep')
  const events: SlurmEvent[] = []
  // Task 1 trains long enough to be cancelled mid-run on a fast machine, short enough to run again here.
  const LONG = 1000
  const train = (seed: number, episodes: number): string[] => ['--env', 'catch', '--algo', 'dqn', '--seed', String(seed), '--episodes', String(episodes), '--checkpoint-every', '20', '--set', 'hidden=32,32']
  let first: TaskProgress[]

  beforeAll(async () => {
    cluster = await startSlurmCluster()
    services = createServices({ dataDir: userData, launcher: childProcessLauncher(), host: 'cli' })
  }, 90_000)
  afterAll(async () => {
    await services?.close()
    await cluster?.stop()
  }, 120_000)

  it('is usable', async () => {
    expect(await slurmAvailability(cluster.env)).toMatchObject({ ok: true, version: expect.stringMatching(/^slurm/) })
  })

  it('runs three Catch runs as one array job; a task cancelled while training shows as cancelled, the others complete and land in the store', async () => {
    const tasks = [train(1, 40), train(2, LONG), train(3, 40)].map((argv, i) => ({ argv: portableTrainArgs(argv, { dataDir: userData, dir }), label: `seed ${i + 1}` }))
    const sub = prepareSubmission({ dir, tasks, options: { jobName: 'quarkade-test', time: '20:00', cpusPerTask: 1 }, version: 'test' })
    expect(fs.readFileSync(path.join(dir, 'job.sbatch'), 'utf8')).toBe(sub.script)
    const jobId = await submit(dir, cluster.env)
    expect(readSubmission(dir).tasks.map((t) => t.attempts.map((a) => a.jobId))).toEqual([[jobId], [jobId], [jobId]])

    // Cancel task 1 once its trainer has recorded episodes: its run then stops cleanly.
    const storeFile = path.join(dir, 'task-1', `job-${jobId}`, 'store', 'quarkade.sqlite')
    for (let i = 0; ; i++) {
      if (fs.existsSync(storeFile)) {
        const db = new Database(storeFile, { readonly: true })
        // The file exists a moment before its tables do.
        const hasRuns = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'runs'`).get() !== undefined
        const done = hasRuns ? ((db.prepare('SELECT max(episodes_done) FROM runs').pluck().get() as number | null) ?? 0) : 0
        db.close()
        if (done > 0) break
      }
      const ended = path.join(path.dirname(path.dirname(storeFile)), 'exit.json')
      if (fs.existsSync(ended)) expect.fail(`task 1 ended before training: ${fs.readFileSync(path.join(dir, 'logs', `${jobId}_1.out`), 'utf8').slice(-2000)}`)
      expect(i, 'task 1 never started training').toBeLessThan(1500)
      await new Promise((r) => setTimeout(r, 200))
    }
    expect((await taskStatuses(dir, cluster.env))[1]).toMatchObject({ state: 'running', stateLabel: 'Running', source: 'squeue', slurmId: `${jobId}_1` })
    expect(await cancel(dir, [1], cluster.env)).toEqual([`${jobId}_1`])

    first = await watchSubmission(dir, services.store, { env: cluster.env, intervalMs: 1000, onEvent: (e) => events.push(e) })
    expect(first.map((t) => [t.state, t.stateLabel])).toEqual([
      ['completed', 'Completed'],
      ['cancelled', 'Cancelled'],
      ['completed', 'Completed'],
    ])
    // Without accounting storage, the exit markers tell the same story once slurmctld forgets the job.
    expect(first.map((t) => stateFromMarker(t.attemptDir!, 20 * 60).state)).toEqual(['completed', 'cancelled', 'completed'])
    expect(events.filter((e) => e.type === 'imported').map((e) => (e as { task: TaskProgress }).task.index).sort()).toEqual([0, 1, 2])
    expect(events.at(-1)).toMatchObject({ type: 'progress', total: 3, finished: 3, counts: { completed: 2, cancelled: 1 } })

    for (const [i, t] of first.entries()) {
      expect(t.runIds).toHaveLength(1)
      const run = services.store.getRun(t.runIds[0])
      const source = new Database(path.join(t.attemptDir!, 'store', 'quarkade.sqlite'), { readonly: true })
      const count = (db: Database.Database, table: string, id: number): number => db.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(id) as number
      for (const table of ['metrics', 'episodes', 'replays', 'checkpoints']) expect(count(services.store.db, table, run.id), table).toBe(count(source, table, 1))
      source.close()
      // The imported metrics have their chart summaries: every complete 16-row block of each series.
      const series = services.store.db.prepare('SELECT key, count(*) AS n FROM metrics WHERE run_id = ? GROUP BY key').all(run.id) as { key: string; n: number }[]
      const blocks = services.store.db.prepare('SELECT key, sum(n) AS n FROM metric_summaries WHERE run_id = ? AND level = 0 GROUP BY key').all(run.id) as { key: string; n: number }[]
      expect(Object.fromEntries(blocks.map((b) => [b.key, b.n]))).toEqual(Object.fromEntries(series.filter((m) => m.n >= 16).map((m) => [m.key, m.n - (m.n % 16)])))
      expect(run.seed).toBe(i + 1)
      if (i === 1) {
        expect(run.status).toBe('stopped')
        expect(run.statusReason).toMatch(new RegExp(`^Slurm task ${t.slurmId} cancelled`))
        expect(run.episodesDone).toBeGreaterThan(0)
        expect(run.episodesDone).toBeLessThan(LONG)
      } else {
        expect(run).toMatchObject({ status: 'completed', episodesDone: 40, env: 'catch-v1', algo: 'dqn' })
        expect(services.store.episodes(run.id)).toHaveLength(40)
      }
      expect(services.store.metrics(run.id, ['win_rate']).length).toBeGreaterThan(0)
      expect(services.store.replay(run.id, services.store.episodes(run.id).find((e) => e.hasReplay)!.episode).actions.length).toBeGreaterThan(0)
      // The model's files were copied into this store's checkpoint folder, and a trainer plays them.
      for (const c of services.store.checkpoints(run.id)) expect(c.path.startsWith(services.store.runCheckpointDir(run.id))).toBe(true)
      expect(run.modelEpisode).not.toBeNull()
      const played = await services.jobs.play(run.id, 5, 0)
      expect(played.episodes).toHaveLength(5)
    }
  }, 600_000)

  it('submits the cancelled task again; it completes and lands too, and nothing is imported twice', async () => {
    const again = await resubmit(dir, undefined, cluster.env)
    expect(again?.tasks).toEqual([1])
    const tasks = await watchSubmission(dir, services.store, { env: cluster.env, intervalMs: 1000 })
    expect(tasks.map((t) => t.state)).toEqual(['completed', 'completed', 'completed'])
    expect(tasks[1].slurmId).toBe(`${again!.jobId}_1`)
    const rerun = services.store.getRun(tasks[1].runIds[0])
    expect(rerun).toMatchObject({ status: 'completed', episodesDone: LONG, seed: 2 })
    // The cancelled attempt's run stays as it was; tasks 0 and 2 were not imported again.
    expect(tasks[0].runIds).toEqual(first[0].runIds)
    expect(services.store.listRuns()).toHaveLength(4)
    await syncSubmission(dir, services.store, { env: cluster.env })
    expect(services.store.listRuns()).toHaveLength(4)
    expect(await resubmit(dir, undefined, cluster.env)).toBeNull()
  }, 600_000)

  it('a task that runs out of its time limit shows as timed out, from Slurm and from its exit marker, and its run is kept', async () => {
    const timed = path.join(tmp, 'timed')
    prepareSubmission({ dir: timed, tasks: [{ argv: train(6, 100_000) }], options: { time: '1' } })
    await submit(timed, cluster.env)
    const [task] = await watchSubmission(timed, services.store, { env: cluster.env, intervalMs: 2000 })
    expect(task).toMatchObject({ state: 'timeout', stateLabel: 'Timed out', source: 'squeue' })
    expect(stateFromMarker(task.attemptDir!, 60)).toMatchObject({ state: 'timeout' })
    const run = services.store.getRun(task.runIds[0])
    expect(run.status).toBe('stopped')
    expect(run.statusReason).toMatch(new RegExp(`^Slurm task ${task.slurmId} timed out`))
    expect(run.episodesDone).toBeGreaterThan(0)
    expect(run.modelEpisode).not.toBeNull()
  }, 400_000)

  it('an import cut short is redone whole, never left half or doubled', () => {
    const storeDir = path.join(first[0].attemptDir!, 'store')
    const other = new RunStore(path.join(tmp, 'other-store'))
    const ledger = { done: {}, partial: {} }
    let saves = 0
    expect(() =>
      importStore(storeDir, other, ledger, () => {
        if (++saves === 1) throw new Error('power cut')
      }),
    ).toThrow('power cut')
    expect(other.listRuns().map((r) => r.status)).toEqual(['failed'])
    const imported = importStore(storeDir, other, ledger, () => {})
    expect(other.listRuns()).toHaveLength(1)
    expect(other.getRun(imported[0].runId)).toMatchObject({ status: 'completed', episodesDone: 40 })
    expect(importStore(storeDir, other, ledger, () => {})).toEqual([{ sourceRunId: 1, runId: imported[0].runId, copied: false }])
    expect(other.listRuns()).toHaveLength(1)
    other.close()
  })

  it('quarkade train --on slurm --wait trains one run on the cluster and prints train\'s JSON; slurm status then imports nothing twice', () => {
    const cliData = path.join(tmp, 'cli-data')
    const cliSub = path.join(tmp, 'cli-sub')
    const env = { ...cluster.env, QUARKADE_SLURM_POLL_MS: '1000' }
    const run = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { encoding: 'utf8', timeout: 300_000, env })
    const r = run('train', '--env', 'catch', '--seed', '5', '--episodes', '30', '--on', 'slurm', '--wait', '--time', '10:00', '--sbatch-line', '#SBATCH --mem=500M', '--slurm-dir', cliSub, '--data-dir', cliData, '--json')
    expect(r.status, String(r.stderr)).toBe(0)
    const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!)
    expect(out).toMatchObject({ status: 'completed', env: 'catch-v1', seed: 5, episodes: 30, slurm: { slurm_state: 'completed', submission_dir: cliSub } })
    expect(fs.readFileSync(path.join(cliSub, 'job.sbatch'), 'utf8')).toContain('#SBATCH --mem=500M')
    const status = run('slurm', 'status', cliSub, '--data-dir', cliData, '--json')
    expect(status.status).toBe(0)
    expect(JSON.parse(String(status.stdout))).toMatchObject({ tasks: [{ index: 0, state: 'completed', state_label: 'Completed', run_ids: [out.run_id] }] })
    // By job id: Slurm says where the job's script is, and so which submission it is.
    const byJob = run('slurm', 'status', out.slurm.job_id, '--data-dir', cliData, '--json')
    expect(byJob.status, String(byJob.stderr)).toBe(0)
    expect(JSON.parse(String(byJob.stdout))).toMatchObject({ submission_dir: cliSub, tasks: [{ state: 'completed', run_ids: [out.run_id] }] })
    const runs = JSON.parse(String(run('runs', '--data-dir', cliData, '--json').stdout))
    expect(runs).toHaveLength(1)
  }, 400_000)
})
