/**
 * Copies the runs of one task's store (a data folder written by `quarkade train` on a compute
 * node) into the user's run store: each run with its metrics, episodes, replays, results,
 * policies and policy snapshots, and its checkpoint folders (copied under the user's
 * `checkpoints/run-<new id>/`, paths rewritten).
 *
 * - Bounded memory: rows are streamed with `iterate()` and written in transactions of
 *   BATCH_ROWS rows; a run of millions of metric points never sits in memory.
 * - Idempotent: a ledger (kept by the caller, in the submission manifest) maps source run ids to
 *   the ids they got. A run already imported (and still there) is skipped; a run whose copy was cut
 *   short (`partial`) is deleted and copied again.
 * - The source is opened read-only and never changed.
 * - Columns are copied by name where both stores have them, so a newer store's extra columns do
 *   not break an import, and a store newer than this Quarkade is refused.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import type { RunStatus } from '../../shared/api'
import { SCHEMA_VERSION, type RunStore } from '../services/run-store'
import type { ImportLedger } from './submission'

/** Rows per insert transaction. */
const BATCH_ROWS = 5000
/** Per-run tables copied row by row (run_id rewritten), and the order that keeps their meaning. */
const RUN_TABLES: readonly { table: string; order: string }[] = [
  { table: 'metrics', order: 'rowid' },
  { table: 'episodes', order: 'episode' },
  { table: 'replays', order: 'episode' },
  { table: 'results', order: 'run_id' },
  { table: 'policies', order: 'run_id' },
  { table: 'policy_snapshots', order: 'episode' },
]
const UNFINISHED: readonly RunStatus[] = ['queued', 'running', 'paused']

export interface ImportedRun {
  sourceRunId: number
  runId: number
  /** False when the run was there from an earlier import. */
  copied: boolean
}

export interface ImportOptions {
  /**
   * A status for each run (e.g. from the task's Slurm state); by default the source's own,
   * except that a run the source left unfinished (its task was killed) becomes `failed`.
   */
  describe?: (run: { status: RunStatus; statusReason: string | null }) => { status: RunStatus; statusReason: string | null }
}

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
}

function sharedColumns(source: Database.Database, dest: Database.Database, table: string): string[] {
  const there = new Set(columns(dest, table))
  return columns(source, table).filter((c) => there.has(c))
}

/** Opens a task's store read-only; throws one line when it is not a store this Quarkade reads. */
export function openSourceStore(dataDir: string): Database.Database {
  const file = path.join(dataDir, 'quarkade.sqlite')
  if (!fs.existsSync(file)) throw new Error(`${dataDir} holds no run store (no quarkade.sqlite)`)
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 15_000 })
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    db.close()
    throw new Error(`the run store in ${dataDir} was written by a newer Quarkade (schema ${version}, this version knows ${SCHEMA_VERSION})`)
  }
  return db
}

/** Streams `SELECT cols FROM table WHERE run_id = ?` into the destination in batched transactions. */
function copyRows(source: Database.Database, dest: Database.Database, table: string, order: string, from: number, to: number): number {
  const cols = sharedColumns(source, dest, table).filter((c) => c !== 'run_id')
  const select = source.prepare(`SELECT ${cols.join(', ')} FROM ${table} WHERE run_id = ? ORDER BY ${order}`).raw()
  const insert = dest.prepare(`INSERT INTO ${table} (run_id, ${cols.join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`)
  const write = dest.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(to, ...row)
  })
  let batch: unknown[][] = []
  let n = 0
  for (const row of select.iterate(from) as Iterable<unknown[]>) {
    batch.push(row)
    if (batch.length === BATCH_ROWS) {
      write(batch)
      n += batch.length
      batch = []
    }
  }
  write(batch)
  return n + batch.length
}

/** A checkpoint's folder in the source store: found by its name under the store's own checkpoints (the store may sit at another path than where it was written). */
function sourceCheckpointDir(sourceDir: string, runId: number, recorded: string): string {
  const here = path.join(sourceDir, 'checkpoints', `run-${runId}`, path.basename(recorded))
  return fs.existsSync(here) ? here : recorded
}

function copyRun(source: Database.Database, sourceDir: string, dest: RunStore, srcId: number, ledger: ImportLedger, save: () => void, describe: NonNullable<ImportOptions['describe']>): number {
  const db = dest.db
  const runCols = sharedColumns(source, db, 'runs').filter((c) => c !== 'id' && c !== 'owner_pid')
  const row = source.prepare(`SELECT ${runCols.join(', ')} FROM runs WHERE id = ?`).get(srcId) as Record<string, unknown>
  // The run exists as `failed` while its rows are copied: a host that starts meanwhile shows it as
  // an unfinished import, and the ledger's `partial` lets the next import remove and redo it.
  const importing: Record<string, unknown> = { ...row, status: 'failed', status_reason: `being imported from ${sourceDir}` }
  const info = db.prepare(`INSERT INTO runs (${runCols.join(', ')}) VALUES (${runCols.map(() => '?').join(', ')})`).run(...runCols.map((c) => importing[c]))
  const runId = Number(info.lastInsertRowid)
  ledger.partial[String(srcId)] = runId
  save()
  for (const { table, order } of RUN_TABLES) copyRows(source, db, table, order, srcId, runId)
  // The copied metrics get their chart summaries (services/metric-summaries.ts), as a trainer's batches would have.
  const keys = db.prepare('SELECT DISTINCT key FROM metrics WHERE run_id = ?').pluck().all(runId) as string[]
  db.transaction(() => keys.forEach((key) => dest.summaries.summarise(runId, key)))()
  const checkpoints = source.prepare('SELECT episode, path, created_at, has_model FROM checkpoints WHERE run_id = ? ORDER BY episode').all(srcId) as {
    episode: number
    path: string
    created_at: number
    has_model: number
  }[]
  for (const c of checkpoints) {
    const from = sourceCheckpointDir(sourceDir, srcId, c.path)
    const to = path.join(dest.runCheckpointDir(runId), path.basename(c.path))
    if (!fs.existsSync(from)) continue
    fs.cpSync(from, to, { recursive: true })
    db.prepare('INSERT INTO checkpoints (run_id, episode, path, created_at, has_model) VALUES (?, ?, ?, ?, ?)').run(runId, c.episode, to, c.created_at, c.has_model)
  }
  const final = describe({ status: row.status as RunStatus, statusReason: (row.status_reason as string | null) ?? null })
  dest.setStatus(runId, final.status, final.statusReason)
  db.prepare('UPDATE runs SET ended_at = COALESCE(?, ended_at) WHERE id = ?').run(row.ended_at ?? null, runId)
  delete ledger.partial[String(srcId)]
  ledger.done[String(srcId)] = runId
  save()
  return runId
}

const defaultDescribe: NonNullable<ImportOptions['describe']> = (run) =>
  UNFINISHED.includes(run.status)
    ? { status: 'failed', statusReason: `the task ended before this run finished${run.statusReason ? ` (${run.statusReason})` : ''}; its results up to then are kept` }
    : run

/**
 * Imports every run of the store in `sourceDir` into `dest`, recording progress in `ledger`
 * and calling `save` whenever the ledger changed (persist it before anything else happens).
 */
export function importStore(sourceDir: string, dest: RunStore, ledger: ImportLedger, save: () => void, options: ImportOptions = {}): ImportedRun[] {
  dest.assertWritable()
  const source = openSourceStore(sourceDir)
  try {
    const out: ImportedRun[] = []
    // A copy cut short (crash, full disk) is removed first; it is copied again below.
    for (const [src, runId] of Object.entries(ledger.partial)) {
      if (dest.findRun(runId)) dest.deleteRun(runId)
      delete ledger.partial[src]
      save()
    }
    const ids = source.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[]
    for (const srcId of ids) {
      const known = ledger.done[String(srcId)]
      if (known !== undefined && dest.findRun(known)) {
        out.push({ sourceRunId: srcId, runId: known, copied: false })
        continue
      }
      out.push({ sourceRunId: srcId, runId: copyRun(source, sourceDir, dest, srcId, ledger, save, options.describe ?? defaultDescribe), copied: true })
    }
    return out
  } finally {
    source.close()
  }
}
