/**
 * The run store: one SQLite database (WAL) per data directory. The host's main
 * process is its single writer; trainer events arrive in batches and are written
 * in one transaction each. The schema is versioned (PRAGMA user_version) and
 * migrated forward on open.
 */
import type { ActionEncoding } from '../../core/spaces'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { removeUnrecorded, setAsideUnowned } from '../trainer/checkpoints'
import { MetricsReader } from './metrics-reader'
import { MetricSummaries, METRIC_SUMMARIES_SQL, type Row } from './metric-summaries'
import type { EpisodeRow, MetricPoint, Policy, Replay, RunConfig, RunStatus, RunSummary } from '../../shared/api'

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     env TEXT NOT NULL,
     algo TEXT NOT NULL,
     seed INTEGER NOT NULL,
     backend TEXT,
     status TEXT NOT NULL,
     status_reason TEXT,
     config TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     ended_at INTEGER,
     episodes_done INTEGER NOT NULL DEFAULT 0,
     env_steps INTEGER NOT NULL DEFAULT 0,
     grad_steps INTEGER NOT NULL DEFAULT 0,
     latest TEXT NOT NULL DEFAULT '{}',
     owner_pid INTEGER
   );
   CREATE TABLE metrics (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     step INTEGER NOT NULL,
     value REAL NOT NULL,
     time REAL NOT NULL
   );
   CREATE INDEX metrics_run_key_step ON metrics(run_id, key, step);
   CREATE TABLE episodes (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     episode INTEGER NOT NULL,
     seed INTEGER NOT NULL,
     return REAL NOT NULL,
     length INTEGER NOT NULL,
     won INTEGER NOT NULL,
     PRIMARY KEY (run_id, episode)
   ) WITHOUT ROWID;
   CREATE TABLE replays (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     episode INTEGER NOT NULL,
     seed INTEGER NOT NULL,
     actions BLOB NOT NULL,
     q_values BLOB,
     PRIMARY KEY (run_id, episode)
   ) WITHOUT ROWID;
   CREATE TABLE checkpoints (
     id INTEGER PRIMARY KEY,
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     episode INTEGER NOT NULL,
     path TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // v2: the track library (Pixel Racer) and each run's latest action values over its track.
  `CREATE TABLE tracks (
     name TEXT PRIMARY KEY,
     json TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE policies (
     run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
     episode INTEGER NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     n_actions INTEGER NOT NULL,
     q BLOB NOT NULL
   );`,
  // v3: data files the user opened (recent files, per-file channel names).
  `CREATE TABLE files (
     path TEXT PRIMARY KEY,
     opened_at INTEGER NOT NULL,
     is_jets INTEGER NOT NULL DEFAULT 0,
     channels TEXT
   );`,
  // v4: whether a checkpoint holds a policy network (Q-table checkpoints hold only training state).
  `ALTER TABLE checkpoints ADD COLUMN has_model INTEGER NOT NULL DEFAULT 1;`,
  // v5: a run's final results (VAE: metrics, latent space, reconstructions, samples) as JSON.
  `CREATE TABLE results (
     run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
     json TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // v6: one checkpoint row per (run, episode); a crash-and-resume used to record some twice.
  `DELETE FROM checkpoints WHERE id NOT IN (SELECT max(id) FROM checkpoints GROUP BY run_id, episode);
   CREATE UNIQUE INDEX checkpoints_run_episode ON checkpoints(run_id, episode);`,
  // v7: the metrics index covers the value, so downsampled chart queries (min/max per step
  // bucket over millions of rows) read the index alone, not a table row per point.
  `CREATE INDEX IF NOT EXISTS metrics_run_key_step_value ON metrics(run_id, key, step, value);
   DROP INDEX IF EXISTS metrics_run_key_step;`,
  // v8: actions by the action space's own encoding (int32 ids, float32 for continuous parts) instead of
  // one byte each (ids > 255 wrapped); existing rows keep theirs as 'u8'. Q-values become generic outputs.
  `ALTER TABLE replays ADD COLUMN action_encoding TEXT NOT NULL DEFAULT 'u8';
   ALTER TABLE replays RENAME COLUMN q_values TO outputs;`,
  // v9: why the faster backends were skipped when the run started (a JSON array of lines, "webgpu: no adapter (…)").
  `ALTER TABLE runs ADD COLUMN backend_skipped TEXT;`,
  // v10: the policy as it was at some recorded episodes (Pixel Racer's training days), not only the newest.
  `CREATE TABLE policy_snapshots (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     episode INTEGER NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     n_actions INTEGER NOT NULL,
     q BLOB NOT NULL,
     PRIMARY KEY (run_id, episode)
   ) WITHOUT ROWID;`,
  // v11: per-block min/max summaries of every metric series, so a chart of millions of points reads
  // thousands of rows (metric-summaries.ts); existing series are summarised by the backfill below.
  METRIC_SUMMARIES_SQL,
  // v12: sweeps (src/main/services/sweeps.ts) and their runs: one row per configuration × seed,
  // with room for where each runs (local or a Slurm array task) so the cluster needs no migration.
  `CREATE TABLE sweeps (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     env TEXT NOT NULL,
     algo TEXT NOT NULL,
     spec TEXT NOT NULL,
     status TEXT NOT NULL,
     status_reason TEXT,
     backend TEXT NOT NULL DEFAULT 'local',
     created_at INTEGER NOT NULL,
     ended_at INTEGER,
     owner_pid INTEGER
   );
   CREATE TABLE sweep_runs (
     sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
     config_index INTEGER NOT NULL,
     seed_index INTEGER NOT NULL,
     seed INTEGER NOT NULL,
     config TEXT NOT NULL,
     run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     reason TEXT,
     backend TEXT,
     slurm_job_id TEXT,
     slurm_task INTEGER,
     slurm_state TEXT,
     PRIMARY KEY (sweep_id, config_index, seed_index)
   ) WITHOUT ROWID;
   CREATE INDEX sweep_runs_run ON sweep_runs(run_id);`,
]

/** Work a migration needs beyond its SQL, run right after it in the same transaction. */
const BACKFILLS = new Map<string, (db: Database.Database) => void>([
  [
    METRIC_SUMMARIES_SQL,
    (db) => {
      const summaries = new MetricSummaries(db)
      const series = db.prepare('SELECT DISTINCT run_id, key FROM metrics').all() as { run_id: number; key: string }[]
      for (const s of series) summaries.summarise(s.run_id, s.key)
    },
  ],
])

export const SCHEMA_VERSION = MIGRATIONS.length

/** A replay's actions as stored: little-endian int32 or float32 (v6), or one byte each (v1–v5). */
export function encodeActions(actions: readonly number[], encoding: ActionEncoding): Buffer {
  const typed = encoding === 'f32' ? Float32Array.from(actions) : Int32Array.from(actions)
  return Buffer.from(typed.buffer)
}

export function decodeActions(bytes: Buffer, encoding: string): number[] {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  switch (encoding) {
    case 'u8':
      return Array.from(bytes)
    case 'i32':
      return Array.from(new Int32Array(copy))
    case 'f32':
      return Array.from(new Float32Array(copy))
    default:
      throw new Error(`replay actions stored as "${encoding}", which this Quarkade cannot read`)
  }
}

export interface EpisodeRecord {
  episode: number
  seed: number
  return: number
  length: number
  won: boolean
  /** Present for recorded episodes (replays): flat in the action space's encoding. */
  actions?: number[]
  /** How `actions` are stored: int32 ids, or float32 when the space has continuous parts. */
  actionEncoding?: ActionEncoding
  outputs?: number[] | null
}

export interface RunProgress {
  episodesDone: number
  envSteps: number
  gradSteps: number
}

/** One batch of trainer output, written in a single transaction. */
export interface RunBatch {
  metrics: MetricPoint[]
  episodes: EpisodeRecord[]
  progress: RunProgress | null
}

interface RunRow {
  id: number
  name: string
  env: string
  algo: string
  seed: number
  backend: string | null
  backend_skipped: string | null
  status: RunStatus
  status_reason: string | null
  config: string
  created_at: number
  started_at: number | null
  ended_at: number | null
  episodes_done: number
  env_steps: number
  grad_steps: number
  latest: string
  owner_pid: number | null
  model_episode: number | null
}

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    env: r.env,
    algo: r.algo,
    seed: r.seed,
    backend: r.backend,
    backendSkipped: r.backend_skipped ? (JSON.parse(r.backend_skipped) as string[]) : [],
    status: r.status,
    statusReason: r.status_reason,
    config: JSON.parse(r.config) as RunConfig,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    episodesDone: r.episodes_done,
    envSteps: r.env_steps,
    gradSteps: r.grad_steps,
    latest: JSON.parse(r.latest) as Record<string, number>,
    modelEpisode: r.model_episode,
  }
}

interface PolicyRow {
  episode: number
  width: number
  height: number
  n_actions: number
  q: Buffer
}

function policyOfRow(runId: number, row: PolicyRow | undefined): Policy | null {
  if (!row) return null
  const q = new Float32Array(row.q.buffer.slice(row.q.byteOffset, row.q.byteOffset + row.q.byteLength))
  return { runId, episode: row.episode, width: row.width, height: row.height, nActions: row.n_actions, q: Array.from(q, (v) => (Number.isNaN(v) ? null : v)) }
}

const RUN_COLUMNS = `runs.*, (SELECT max(episode) FROM checkpoints c WHERE c.run_id = runs.id AND c.has_model = 1) AS model_episode`

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** How long a connection waits for another process's lock (hosts opening one folder at once, a long write). */
const BUSY_TIMEOUT_MS = 15_000

/**
 * Runs `step`, again after a short random pause while it fails with SQLITE_BUSY, for up to
 * BUSY_TIMEOUT_MS. The busy timeout does not cover everything: SQLite answers BUSY at once, without
 * waiting, where waiting could deadlock — e.g. connections of several processes switching one fresh
 * database to WAL together (seen: 1 of 4 hosts opening a new folder at the same moment failed).
 */
export function retryWhileBusy<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      return step()
    } catch (e) {
      if (!String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY') || Date.now() > deadline) throw e
      Atomics.wait(pause, 0, 0, 10 + Math.random() * 40)
    }
  }
}

export class RunStore {
  readonly db: Database.Database
  readonly dir: string
  /** Set when the database failed its integrity check: it is open read-only, and this says why. */
  readonly readOnlyReason: string | null = null

  constructor(dataDir: string) {
    this.dir = dataDir
    fs.mkdirSync(dataDir, { recursive: true })
    const file = path.join(dataDir, 'quarkade.sqlite')
    // The busy timeout comes first: switching to WAL and migrating take locks another process may hold.
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS })
    retryWhileBusy(() => this.db.pragma('journal_mode = WAL'))
    // In WAL mode NORMAL never corrupts the database and keeps every commit across an app or trainer
    // crash; only a power cut may drop the last commits. FULL's fsync per trainer batch costs ingest
    // rate on every run for that.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = ON')
    const problems = retryWhileBusy(() => this.db.pragma('quick_check(100)', { simple: false })) as { quick_check: string }[]
    if (problems.length && problems[0].quick_check !== 'ok') {
      this.db.close()
      this.db = new Database(file, { readonly: true, timeout: BUSY_TIMEOUT_MS })
      const more = problems.length >= 100 ? ' or more' : ''
      this.readOnlyReason =
        `the run database ${file} is damaged (${problems.length}${more} integrity errors, first: ${problems[0].quick_check}); ` +
        `it is open read-only — copy what you need, then move it away to start a fresh one`
    }
    this.migrate()
  }

  /** Throws the read-only reason (a damaged database) before a write is tried. */
  assertWritable(): void {
    if (this.readOnlyReason) throw new Error(this.readOnlyReason)
  }

  private migrate(): void {
    const check = (current: number): void => {
      if (current > SCHEMA_VERSION) {
        throw new Error(`the run database in ${this.dir} was written by a newer Quarkade (schema ${current}, this version knows ${SCHEMA_VERSION})`)
      }
    }
    const version = (): number => this.db.pragma('user_version', { simple: true }) as number
    check(version())
    if (version() === SCHEMA_VERSION) return
    if (this.readOnlyReason) throw new Error(`${this.readOnlyReason}; its schema (${version()}) is too old to read without upgrading it`)
    // One writer at a time: another process may have migrated since we looked, so look again inside.
    this.db.transaction(() => {
      const current = version()
      check(current)
      for (let v = current; v < SCHEMA_VERSION; v++) {
        this.db.exec(MIGRATIONS[v])
        BACKFILLS.get(MIGRATIONS[v])?.(this.db)
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
    }).immediate()
  }

  private summaryWriter: MetricSummaries | null = null

  /** Keeps the metric summaries in step with the metrics this store writes. */
  get summaries(): MetricSummaries {
    return (this.summaryWriter ??= new MetricSummaries(this.db))
  }

  close(): void {
    void this.reader?.close()
    this.db.close()
  }

  private reader: MetricsReader | null = null

  /** Downsampled metric queries in a worker thread (`runs.metrics`); `metrics()` below reads everything, here. */
  get metricsReader(): MetricsReader {
    return (this.reader ??= new MetricsReader(this.db.name))
  }

  get checkpointDir(): string {
    return path.join(this.dir, 'checkpoints')
  }

  runCheckpointDir(id: number): string {
    return path.join(this.checkpointDir, `run-${id}`)
  }

  /**
   * At host start: folders of runs this database does not hold are set aside, and
   * finished runs lose what no checkpoint row owns (a checkpoint written but never
   * recorded, `*.tmp` leftovers of a crash).
   */
  tidyCheckpointFolders(): void {
    const hasRun = this.db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck()
    setAsideUnowned(this.checkpointDir, (id) => hasRun.get(id) !== undefined)
    const finished = this.db.prepare(`SELECT id FROM runs WHERE status IN ('completed', 'stopped', 'failed')`).pluck().all() as number[]
    for (const id of finished) removeUnrecorded(this.runCheckpointDir(id), this.checkpoints(id).map((c) => c.path))
  }

  createRun(config: RunConfig): RunSummary {
    this.assertWritable()
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, env, algo, seed, status, config, created_at, owner_pid)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(config.name, config.env, config.algo, config.seed, JSON.stringify(config), Date.now(), process.pid)
    return this.getRun(Number(info.lastInsertRowid))
  }

  findRun(id: number): RunSummary | null {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined
    return row ? toSummary(row) : null
  }

  getRun(id: number): RunSummary {
    const run = this.findRun(id)
    if (!run) throw new Error(`run ${id} does not exist`)
    return run
  }

  listRuns(): RunSummary[] {
    return (this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id DESC`).all() as RunRow[]).map(toSummary)
  }

  markStarted(id: number, backend: string, backendSkipped: readonly string[] = []): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', status_reason = NULL, backend = ?, backend_skipped = ?, started_at = COALESCE(started_at, ?) WHERE id = ?`)
      .run(backend, JSON.stringify(backendSkipped), Date.now(), id)
  }

  /**
   * Prepares a run to continue from the checkpoint at `episode`: everything
   * recorded after it goes (the resumed trainer records it again), the budget
   * becomes `config.episodes`, and the run is queued under the same id.
   */
  rewindTo(id: number, episode: number, config: RunConfig): void {
    this.assertWritable()
    const later = this.db.prepare('SELECT path FROM checkpoints WHERE run_id = ? AND episode > ?').all(id, episode) as { path: string }[]
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(id, episode)
      this.summaries.truncate(id, episode)
      this.db.prepare('DELETE FROM episodes WHERE run_id = ? AND episode >= ?').run(id, episode)
      this.db.prepare('DELETE FROM replays WHERE run_id = ? AND episode >= ?').run(id, episode)
      this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND episode > ?').run(id, episode)
      this.db.prepare('DELETE FROM results WHERE run_id = ?').run(id)
      const latest = this.db
        .prepare(
          `SELECT key, value FROM metrics m WHERE run_id = ? AND rowid = (SELECT max(rowid) FROM metrics WHERE run_id = m.run_id AND key = m.key)`,
        )
        .all(id) as { key: string; value: number }[]
      this.db
        .prepare(
          `UPDATE runs SET status = 'queued', status_reason = NULL, ended_at = NULL, episodes_done = ?, config = ?, latest = ?, owner_pid = ? WHERE id = ?`,
        )
        .run(episode, JSON.stringify(config), JSON.stringify(Object.fromEntries(latest.map((l) => [l.key, l.value]))), process.pid, id)
    })()
    for (const c of later) fs.rmSync(c.path, { recursive: true, force: true })
  }

  /** A finished run made from an imported model: no metrics, one checkpoint. */
  createImportedRun(config: RunConfig, reason: string): RunSummary {
    this.assertWritable()
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, env, algo, seed, status, status_reason, config, created_at, ended_at)
         VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)`,
      )
      .run(config.name, config.env, config.algo, config.seed, reason, JSON.stringify(config), Date.now(), Date.now())
    return this.getRun(Number(info.lastInsertRowid))
  }

  setStatus(id: number, status: RunStatus, reason: string | null = null): void {
    const final = status === 'completed' || status === 'stopped' || status === 'failed'
    this.db
      .prepare(`UPDATE runs SET status = ?, status_reason = ?, ended_at = CASE WHEN ? THEN ? ELSE ended_at END WHERE id = ?`)
      .run(status, reason, final ? 1 : 0, Date.now(), id)
  }

  /** Writes one trainer batch atomically. */
  writeBatch(id: number, batch: RunBatch): void {
    const insertEpisode = this.db.prepare(
      'INSERT OR REPLACE INTO episodes (run_id, episode, seed, return, length, won) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const insertReplay = this.db.prepare('INSERT OR REPLACE INTO replays (run_id, episode, seed, actions, action_encoding, outputs) VALUES (?, ?, ?, ?, ?, ?)')
    this.db.transaction(() => {
      const latest: Record<string, number> = {}
      const rowids = this.insertMetrics(id, batch.metrics)
      const inserted = new Map<string, Row[]>()
      batch.metrics.forEach((m, i) => {
        latest[m.key] = m.value
        const rows = inserted.get(m.key)
        if (rows) rows.push([m.step, m.value, rowids[i], m.time])
        else inserted.set(m.key, [[m.step, m.value, rowids[i], m.time]])
      })
      this.summaries.rowsInserted(id, inserted)
      for (const e of batch.episodes) {
        insertEpisode.run(id, e.episode, e.seed, e.return, e.length, e.won ? 1 : 0)
        if (e.actions) {
          const outputs = e.outputs ? Buffer.from(new Float32Array(e.outputs).buffer) : null
          const encoding = e.actionEncoding ?? 'i32'
          insertReplay.run(id, e.episode, e.seed, encodeActions(e.actions, encoding), encoding, outputs)
        }
      }
      if (Object.keys(latest).length) {
        this.db.prepare(`UPDATE runs SET latest = json_patch(latest, ?) WHERE id = ?`).run(JSON.stringify(latest), id)
      }
      if (batch.progress) {
        const p = batch.progress
        this.db
          .prepare('UPDATE runs SET episodes_done = ?, env_steps = ?, grad_steps = ? WHERE id = ?')
          .run(p.episodesDone, p.envSteps, p.gradSteps, id)
      }
    })()
  }

  /** Metric rows per INSERT statement: one native call per 128 rows instead of one per row. */
  private static readonly METRIC_ROWS_PER_INSERT = 128
  private insertMetricRows: Database.Statement | null = null
  private insertMetricRow: Database.Statement | null = null
  private readonly metricArgs = new Array<unknown>(RunStore.METRIC_ROWS_PER_INSERT * 5)

  /**
   * Inserts metric points (inside the caller's transaction), many rows per statement; returns their
   * rowids. SQLite gives each new row the largest rowid + 1, so one statement's rows get consecutive
   * ids ending at its last_insert_rowid.
   */
  private insertMetrics(id: number, metrics: readonly MetricPoint[]): Float64Array {
    const rowids = new Float64Array(metrics.length)
    const per = RunStore.METRIC_ROWS_PER_INSERT
    this.insertMetricRows ??= this.db.prepare(`INSERT INTO metrics (run_id, key, step, value, time) VALUES ${Array(per).fill('(?, ?, ?, ?, ?)').join(', ')}`)
    this.insertMetricRow ??= this.db.prepare('INSERT INTO metrics (run_id, key, step, value, time) VALUES (?, ?, ?, ?, ?)')
    const args = this.metricArgs
    let i = 0
    for (; i + per <= metrics.length; i += per) {
      for (let j = 0; j < per; j++) {
        const m = metrics[i + j]
        const o = j * 5
        args[o] = id
        args[o + 1] = m.key
        args[o + 2] = m.step
        args[o + 3] = m.value
        args[o + 4] = m.time
      }
      const last = Number(this.insertMetricRows.run(args).lastInsertRowid)
      for (let j = 0; j < per; j++) rowids[i + j] = last - per + 1 + j
    }
    for (; i < metrics.length; i++) {
      const m = metrics[i]
      rowids[i] = Number(this.insertMetricRow.run(id, m.key, m.step, m.value, m.time).lastInsertRowid)
    }
    return rowids
  }

  addCheckpoint(id: number, episode: number, dir: string, hasModel = true): void {
    this.db
      .prepare(
        `INSERT INTO checkpoints (run_id, episode, path, created_at, has_model) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, episode) DO UPDATE SET path = excluded.path, created_at = excluded.created_at, has_model = excluded.has_model`,
      )
      .run(id, episode, dir, Date.now(), hasModel ? 1 : 0)
  }

  checkpoints(id: number): { episode: number; path: string }[] {
    return this.db.prepare('SELECT episode, path FROM checkpoints WHERE run_id = ? ORDER BY episode').all(id) as { episode: number; path: string }[]
  }

  metrics(id: number, keys?: string[]): MetricPoint[] {
    const rows =
      keys && keys.length
        ? this.db
            .prepare(`SELECT key, step, value, time FROM metrics WHERE run_id = ? AND key IN (${keys.map(() => '?').join(',')}) ORDER BY step, rowid`)
            .all(id, ...keys)
        : this.db.prepare('SELECT key, step, value, time FROM metrics WHERE run_id = ? ORDER BY step, rowid').all(id)
    return rows as MetricPoint[]
  }

  episodes(id: number): EpisodeRow[] {
    const rows = this.db
      .prepare(
        `SELECT e.episode, e.seed, e.return, e.length, e.won, r.episode IS NOT NULL AS has_replay
         FROM episodes e LEFT JOIN replays r ON r.run_id = e.run_id AND r.episode = e.episode
         WHERE e.run_id = ? ORDER BY e.episode`,
      )
      .all(id) as { episode: number; seed: number; return: number; length: number; won: number; has_replay: number }[]
    return rows.map((r) => ({ episode: r.episode, seed: r.seed, return: r.return, length: r.length, won: !!r.won, hasReplay: !!r.has_replay }))
  }

  replay(runId: number, episode: number): Replay {
    const run = this.getRun(runId)
    const row = this.db
      .prepare(
        `SELECT r.seed, r.actions, r.action_encoding, r.outputs, e.return, e.won FROM replays r
         JOIN episodes e ON e.run_id = r.run_id AND e.episode = r.episode
         WHERE r.run_id = ? AND r.episode = ?`,
      )
      .get(runId, episode) as { seed: number; actions: Buffer; action_encoding: string; outputs: Buffer | null; return: number; won: number } | undefined
    if (!row) throw new Error(`run ${runId} has no recorded replay of episode ${episode}`)
    const q = row.outputs ? new Float32Array(row.outputs.buffer.slice(row.outputs.byteOffset, row.outputs.byteOffset + row.outputs.byteLength)) : null
    return {
      runId,
      env: run.env,
      episode,
      seed: row.seed,
      actions: decodeActions(row.actions, row.action_encoding),
      outputs: q ? Array.from(q) : null,
      return: row.return,
      won: !!row.won,
    }
  }

  saveResults(runId: number, results: Record<string, unknown>): void {
    this.db.prepare('INSERT OR REPLACE INTO results (run_id, json, created_at) VALUES (?, ?, ?)').run(runId, JSON.stringify(results), Date.now())
  }

  results(runId: number): Record<string, unknown> | null {
    const row = this.db.prepare('SELECT json FROM results WHERE run_id = ?').get(runId) as { json: string } | undefined
    return row ? (JSON.parse(row.json) as Record<string, unknown>) : null
  }

  /** The newest policy of a run; `snapshot` also keeps it as the policy at its episode (training days). */
  savePolicy(p: Policy, snapshot = false): void {
    const q = Buffer.from(new Float32Array(p.q.map((v) => (v === null ? NaN : v))).buffer)
    const args = [p.runId, p.episode, p.width, p.height, p.nActions, q]
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO policies (run_id, episode, width, height, n_actions, q) VALUES (?, ?, ?, ?, ?, ?)').run(...args)
      if (snapshot) this.db.prepare('INSERT OR REPLACE INTO policy_snapshots (run_id, episode, width, height, n_actions, q) VALUES (?, ?, ?, ?, ?, ?)').run(...args)
    })()
  }

  policy(runId: number): Policy | null {
    return policyOfRow(runId, this.db.prepare('SELECT * FROM policies WHERE run_id = ?').get(runId) as PolicyRow | undefined)
  }

  /** The policy as it was after `episode` episodes, or null where none was kept then. */
  policyAt(runId: number, episode: number): Policy | null {
    return policyOfRow(runId, this.db.prepare('SELECT * FROM policy_snapshots WHERE run_id = ? AND episode = ?').get(runId, episode) as PolicyRow | undefined)
  }

  /** Episodes whose policy was kept, ascending. */
  policyEpisodes(runId: number): number[] {
    return this.db.prepare('SELECT episode FROM policy_snapshots WHERE run_id = ? ORDER BY episode').pluck().all(runId) as number[]
  }

  deleteRun(id: number): void {
    this.assertWritable()
    const dirs = this.checkpoints(id).map((c) => c.path)
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
    this.summaries.forget(id)
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    fs.rmSync(this.runCheckpointDir(id), { recursive: true, force: true })
  }

  /**
   * Runs left queued/running/paused by a host that is gone (crash, power loss)
   * can never finish: mark them failed, keeping everything they recorded.
   */
  recoverOrphans(): number {
    const rows = this.db.prepare(`SELECT id, owner_pid FROM runs WHERE status IN ('queued', 'running', 'paused')`).all() as {
      id: number
      owner_pid: number | null
    }[]
    let n = 0
    for (const r of rows) {
      if (r.owner_pid !== null && r.owner_pid !== process.pid && isAlive(r.owner_pid)) continue
      this.setStatus(r.id, 'failed', 'Quarkade closed while this run was in progress; its results up to then are kept')
      n++
    }
    return n
  }
}
