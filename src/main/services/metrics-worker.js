// Metric queries off the host's event loop: a worker thread with its own read-only
// connection. A series longer than `maxPoints` comes back as the lowest and the
// highest point of each step bucket (per-pixel-column min/max, so spikes survive),
// plus its first and last point. Long series are read from their block summaries; rows
// stream through in step order, so memory stays bounded by the buckets, not by the run's length. Plain JS: it runs as is under Node, tsx
// and in the Electron build (its own entry in electron.vite.config.ts).
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'

const db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: 15_000 })

const RANGE = 'run_id = @run AND key = @key AND step BETWEEN @from AND @to'
const nextKey = db.prepare('SELECT min(key) AS key FROM metrics WHERE run_id = ? AND key > ?').pluck()
const extent = db.prepare(`SELECT count(*) AS n, min(step) AS lo, max(step) AS hi FROM metrics WHERE ${RANGE}`)
const all = db.prepare(`SELECT rowid AS id, key, step, value, time FROM metrics WHERE ${RANGE} ORDER BY step, rowid`)
// Reads only the (run_id, key, step, value) index, in step order; `time` is looked up for the chosen rows.
const scan = db.prepare(`SELECT rowid, step, value FROM metrics WHERE ${RANGE} ORDER BY step`).raw()
const timeOf = db.prepare('SELECT time FROM metrics WHERE rowid = ?').pluck()
// The first and last point: the end step is one index seek, then only that step's rows are ordered by rowid.
const first = db.prepare(
  `SELECT rowid AS id, key, step, value, time FROM metrics WHERE run_id = @run AND key = @key
   AND step = (SELECT min(step) FROM metrics WHERE ${RANGE}) ORDER BY rowid LIMIT 1`,
)
const last = db.prepare(
  `SELECT rowid AS id, key, step, value, time FROM metrics WHERE run_id = @run AND key = @key
   AND step = (SELECT max(step) FROM metrics WHERE ${RANGE}) ORDER BY rowid DESC LIMIT 1`,
)

/** Every metric key of a run, one index seek per key. */
function keysOf(run) {
  const keys = []
  for (let k = nextKey.get(run, ''); k !== null; k = nextKey.get(run, k)) keys.push(k)
  return keys
}

// Complete blocks inside the range are read from metric_summaries (metric-summaries.ts), each as its
// lowest and highest point, from the coarsest level that still has a block per bucket; only the rows
// before the first and after the last such block are read from metrics. A 1-million-point series is
// ~4 000 level-1 summary rows.
const LEVELS = 2
const BLOCKS = 'run_id = @run AND key = @key AND level = @level AND first_step >= @from AND last_step <= @to'
// Counts blocks only up to what a chart needs: a level with a block per bucket is used, whatever its size.
const blockCount = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM metric_summaries WHERE ${BLOCKS} LIMIT @enough)`).pluck()
const firstBlock = db.prepare(`SELECT first_step AS s, first_value AS v, first_id AS i FROM metric_summaries WHERE ${BLOCKS} ORDER BY first_step, first_value, first_id LIMIT 1`)
const lastBlock = db.prepare(`SELECT last_step AS s, last_value AS v, last_id AS i FROM metric_summaries WHERE ${BLOCKS} ORDER BY first_step DESC, first_value DESC, first_id DESC LIMIT 1`)
// The explicit step bound lets the index seek start at the block's edge (the row value alone does not).
const HEAD = `run_id = @run AND key = @key AND step BETWEEN @from AND @s AND (step, value, rowid) < (@s, @v, @i)`
const TAIL = `run_id = @run AND key = @key AND step BETWEEN @s AND @to AND (step, value, rowid) > (@s, @v, @i)`
const headRows = db.prepare(`SELECT rowid, step, value FROM metrics WHERE ${HEAD} ORDER BY step, value`).raw()
const tailRows = db.prepare(`SELECT rowid, step, value FROM metrics WHERE ${TAIL} ORDER BY step, value`).raw()
const blockLows = db.prepare(
  `SELECT CAST((min_step - @lo) / @width AS INTEGER) AS b, min(min_value) AS value, min_step AS step, min_id AS id
   FROM metric_summaries WHERE ${BLOCKS} GROUP BY b`,
)
const blockHighs = db.prepare(
  `SELECT CAST((max_step - @lo) / @width AS INTEGER) AS b, max(max_value) AS value, max_step AS step, max_id AS id
   FROM metric_summaries WHERE ${BLOCKS} GROUP BY b`,
)

/** The lowest and the highest point of each step bucket, fed one candidate point at a time. */
class Buckets {
  constructor(lo, width) {
    this.lo = lo
    this.width = width
    this.low = new Map()
    this.high = new Map()
  }
  bucketOf(step) {
    return Math.floor((step - this.lo) / this.width)
  }
  add(b, p) {
    const l = this.low.get(b)
    if (!l || p.value < l.value) this.low.set(b, p)
    const h = this.high.get(b)
    if (!h || p.value > h.value) this.high.set(b, p)
  }
  points() {
    const chosen = new Map()
    for (const p of [...this.low.values(), ...this.high.values()]) chosen.set(p.id, p)
    return chosen
  }
}

/** The coarsest summary level with at least `buckets` blocks in the range; null if none has. */
function blockLevel(args, buckets) {
  for (let level = LEVELS - 1; level >= 0; level--) {
    if (blockCount.get({ ...args, level, enough: buckets }) >= buckets) return level
  }
  return null
}

function series(args, maxPoints) {
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2))
  const level = blockLevel(args, buckets)
  // With a block per bucket there are more rows than maxPoints, so only a series without one is counted.
  if (level === null && extent.get(args).n <= maxPoints) return all.all(args)
  const useBlocks = level !== null
  const leveled = useBlocks ? { ...args, level } : null
  const head = useBlocks ? { ...args, ...firstBlock.get(leveled) } : null
  const tail = useBlocks ? { ...args, ...lastBlock.get(leveled) } : null
  const firstPoint = first.get(args)
  const lastPoint = last.get(args)
  const lo = firstPoint.step
  const width = (lastPoint.step - lo + 1) / buckets
  const kept = new Buckets(lo, width)
  const addRaw = (rows) => {
    for (const [id, step, value] of rows) kept.add(kept.bucketOf(step), { id, step, value, time: null })
  }
  if (useBlocks) {
    const binned = { ...leveled, lo, width }
    for (const p of blockLows.iterate(binned)) kept.add(p.b, p)
    for (const p of blockHighs.iterate(binned)) kept.add(p.b, p)
    addRaw(headRows.iterate(head))
    addRaw(tailRows.iterate(tail))
  } else {
    addRaw(scan.iterate(args))
  }
  const chosen = kept.points()
  const points = [...chosen.values()].map((p) => ({ id: p.id, key: args.key, step: p.step, value: p.value, time: p.time ?? timeOf.get(p.id) }))
  for (const p of [firstPoint, lastPoint]) if (!chosen.has(p.id)) points.push(p)
  return points.sort((a, b) => a.step - b.step || a.id - b.id)
}

parentPort.on('message', ({ id, run, keys, maxPoints, fromStep, toStep }) => {
  try {
    const rows = []
    for (const key of keys ?? keysOf(run)) rows.push(...series({ run, key, from: fromStep, to: toStep }, maxPoints))
    // The order the store keeps: by step, then as recorded.
    rows.sort((a, b) => a.step - b.step || a.id - b.id)
    parentPort.postMessage({ id, points: rows.map((p) => ({ key: p.key, step: p.step, value: p.value, time: p.time })) })
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) })
  }
})
