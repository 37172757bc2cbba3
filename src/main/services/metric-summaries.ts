/**
 * Metric summaries: each series (run, key) is cut, in index order (step, value, rowid), into blocks of
 * SUMMARY_BLOCK consecutive rows (level 0), and those into blocks of SUMMARY_BLOCK level-0 blocks
 * (level 1). Each complete block keeps one row in `metric_summaries` with its first and last row, its
 * count, and its lowest and highest point. A chart of a 1-million-point series then reads ~4 000
 * level-1 rows instead of a million metric rows (metrics-worker.js picks the coarsest level that still
 * has a block per pixel), and every spike survives as some block's extreme. The rows after the last
 * complete block stay raw; the worker reads them from `metrics`. Summaries are written by the store's single writer, in the
 * transaction that inserts the rows, so they never disagree with the metrics they summarise.
 */
import type Database from 'better-sqlite3'

/** Rows per level-0 block, and level-0 blocks per level-1 block: 1 M points → 62 500 and 3 906 summary rows. */
export const SUMMARY_BLOCK = 16
export const LEVELS = 2

/** The table (schema v11). Blocks of one series and level never overlap; the key orders them. */
export const METRIC_SUMMARIES_SQL = `CREATE TABLE metric_summaries (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     level INTEGER NOT NULL,
     first_step INTEGER NOT NULL,
     first_value REAL NOT NULL,
     first_id INTEGER NOT NULL,
     last_step INTEGER NOT NULL,
     last_value REAL NOT NULL,
     last_id INTEGER NOT NULL,
     n INTEGER NOT NULL,
     min_id INTEGER NOT NULL,
     min_step INTEGER NOT NULL,
     min_value REAL NOT NULL,
     max_id INTEGER NOT NULL,
     max_step INTEGER NOT NULL,
     max_value REAL NOT NULL,
     PRIMARY KEY (run_id, key, level, first_step, first_value, first_id)
   ) WITHOUT ROWID;`

/** A block as the next level up reads it: where it starts and ends, its count and extremes. */
type Unit = [
  firstStep: number, firstValue: number, firstId: number,
  lastStep: number, lastValue: number, lastId: number,
  n: number,
  minId: number, minStep: number, minValue: number,
  maxId: number, maxStep: number, maxValue: number,
]

/** Units read at a time while summarising (a whole number of blocks). */
const CHUNK_UNITS = SUMMARY_BLOCK * 1024

const BLOCK_COLUMNS = 'first_step, first_value, first_id, last_step, last_value, last_id, n, min_id, min_step, min_value, max_id, max_step, max_value'
/** A metric row as level 0 reads it: only columns of the (run_id, key, step, value) index (rowid is part of it). */
export type Row = [step: number, value: number, id: number]

/** What follows a series' last blocks: its raw rows (fewer than a block) and level-0 blocks not yet in a level-1 block. */
interface Tail {
  rows: Row[]
  blocks: number
}

/** Whether `rows` continue strictly increasing in the index's (step, value, rowid) order after `prev`. */
function inOrder(prev: Row | undefined, rows: readonly Row[]): boolean {
  for (const r of rows) {
    if (prev && !(r[0] > prev[0] || (r[0] === prev[0] && (r[1] > prev[1] || (r[1] === prev[1] && r[2] > prev[2]))))) return false
    prev = r
  }
  return true
}

/** Summarises the series of one data directory's store; remembers how many raw rows each series has past its last block. */
export class MetricSummaries {
  /** `${run}\0${key}` → what follows its last blocks, when known: so new rows are summarised as they come. */
  private readonly tails = new Map<string, Tail>()
  private readonly lastBlock: Database.Statement
  /** Per level: the units below it (rows for level 0), after a given one and from the start. */
  private readonly unitsAfter: Database.Statement[]
  private readonly unitsAll: Database.Statement[]
  private readonly insert: Database.Statement

  constructor(private readonly db: Database.Database) {
    this.lastBlock = db.prepare(
      `SELECT last_step, last_value, last_id FROM metric_summaries WHERE run_id = ? AND key = ? AND level = ?
       ORDER BY first_step DESC, first_value DESC, first_id DESC LIMIT 1`,
    )
    // Reading rows never touches the table, only the index, which holds them in (step, value, rowid)
    // order: `ORDER BY step, value` reads it as it lies (naming rowid too made SQLite work 4× harder),
    // and three columns a row cost a third of the time of the thirteen a block has.
    const rows = `SELECT step, value, rowid FROM metrics WHERE run_id = @run AND key = @key`
    const blocks = `SELECT ${BLOCK_COLUMNS} FROM metric_summaries WHERE run_id = @run AND key = @key AND level = @below`
    this.unitsAfter = [
      db.prepare(`${rows} AND (step, value, rowid) > (@s, @v, @i) ORDER BY step, value LIMIT @limit`).raw(),
      db.prepare(`${blocks} AND (first_step, first_value, first_id) > (@s, @v, @i) ORDER BY first_step, first_value, first_id LIMIT @limit`).raw(),
    ]
    this.unitsAll = [
      db.prepare(`${rows} ORDER BY step, value LIMIT @limit`).raw(),
      db.prepare(`${blocks} ORDER BY first_step, first_value, first_id LIMIT @limit`).raw(),
    ]
    this.insert = db.prepare(`INSERT INTO metric_summaries (run_id, key, level, ${BLOCK_COLUMNS}) VALUES (${Array(16).fill('?').join(', ')})`)
  }

  /**
   * After inserting rows (inside the same transaction; per key in insertion order, with their rowids):
   * writes the blocks they complete. Rows that follow the known tail in index order — a trainer's
   * rising steps — are summarised from memory; anything else (a first write since opening, rows out
   * of order) re-reads the series' unsummarised rows from the store.
   */
  rowsInserted(runId: number, inserted: ReadonlyMap<string, Row[]>): void {
    for (const [key, rows] of inserted) {
      const id = `${runId}\0${key}`
      const tail = this.tails.get(id)
      if (!tail || !inOrder(tail.rows.at(-1), rows)) {
        this.summarise(runId, key)
        continue
      }
      const all = tail.rows.concat(rows)
      let i = 0
      for (; i + SUMMARY_BLOCK <= all.length; i += SUMMARY_BLOCK) {
        this.writeRows(runId, key, all.slice(i, i + SUMMARY_BLOCK))
        tail.blocks++
      }
      tail.rows = all.slice(i)
      if (tail.blocks >= SUMMARY_BLOCK) tail.blocks = this.summariseLevel(runId, key, 1).length
    }
  }

  /** Writes every complete block, at every level, past the last ones of (run, key), reading them from the store. */
  summarise(runId: number, key: string): void {
    const rows = this.summariseLevel(runId, key, 0) as Row[]
    let blocks = 0
    for (let level = 1; level < LEVELS; level++) blocks = this.summariseLevel(runId, key, level).length
    this.tails.set(`${runId}\0${key}`, { rows, blocks })
  }

  /**
   * Groups the units below `level` that follow its last block into blocks of SUMMARY_BLOCK; returns
   * the units left over. Reads in chunks (a connection cannot write while it iterates), so a backfill
   * of millions of rows holds one chunk at a time.
   */
  private summariseLevel(runId: number, key: string, level: number): Row[] | Unit[] {
    const last = this.lastBlock.get(runId, key, level) as { last_step: number; last_value: number; last_id: number } | undefined
    const args = { run: runId, key, below: level - 1, limit: CHUNK_UNITS }
    let after = last ? { s: last.last_step, v: last.last_value, i: last.last_id } : null
    for (;;) {
      const units = (after ? this.unitsAfter[Math.min(level, 1)].all({ ...args, ...after }) : this.unitsAll[Math.min(level, 1)].all(args)) as Row[] | Unit[]
      const complete = units.length - (units.length % SUMMARY_BLOCK)
      for (let i = 0; i < complete; i += SUMMARY_BLOCK) {
        if (level === 0) this.writeRows(runId, key, (units as Row[]).slice(i, i + SUMMARY_BLOCK))
        else this.writeBlocks(runId, key, level, (units as Unit[]).slice(i, i + SUMMARY_BLOCK))
      }
      if (units.length < CHUNK_UNITS) return units.slice(complete)
      const end = units[complete - 1]
      after = level === 0 ? { s: end[0], v: end[1], i: end[2] } : { s: end[3]!, v: end[4]!, i: end[5]! }
    }
  }

  private writeRows(runId: number, key: string, rows: readonly Row[]): void {
    let lo = rows[0]
    let hi = rows[0]
    for (const r of rows) {
      if (r[1] < lo[1]) lo = r
      if (r[1] > hi[1]) hi = r
    }
    const first = rows[0]
    const last = rows[rows.length - 1]
    this.insert.run(runId, key, 0, first[0], first[1], first[2], last[0], last[1], last[2], rows.length, lo[2], lo[0], lo[1], hi[2], hi[0], hi[1])
  }

  private writeBlocks(runId: number, key: string, level: number, units: readonly Unit[]): void {
    let lo = units[0]
    let hi = units[0]
    let n = 0
    for (const u of units) {
      if (u[9] < lo[9]) lo = u
      if (u[12] > hi[12]) hi = u
      n += u[6]
    }
    const first = units[0]
    const last = units[units.length - 1]
    this.insert.run(runId, key, level, first[0], first[1], first[2], last[3], last[4], last[5], n, lo[7], lo[8], lo[9], hi[10], hi[11], hi[12])
  }

  /** After metrics of a run were deleted past `step` (a rewind): drops the blocks that reached past it. */
  truncate(runId: number, step: number): void {
    this.db.prepare('DELETE FROM metric_summaries WHERE run_id = ? AND last_step > ?').run(runId, step)
    this.forget(runId)
  }

  /** Forgets what it knew of a run's series (deleted, rewound, or written by an import). */
  forget(runId: number): void {
    for (const id of this.tails.keys()) if (id.startsWith(`${runId}\0`)) this.tails.delete(id)
  }
}
