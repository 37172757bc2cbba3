// Metric queries off the host's event loop: a worker thread with its own read-only
// connection. A series longer than `maxPoints` comes back as the lowest and the
// highest point of each step bucket (per-pixel-column min/max, so spikes survive),
// plus its first and last point. Rows stream through in step order, so memory stays
// bounded by the buckets, not by the run's length. Plain JS: it runs as is under Node, tsx
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
const first = db.prepare(`SELECT rowid AS id, key, step, value, time FROM metrics WHERE ${RANGE} ORDER BY step, rowid LIMIT 1`)
const last = db.prepare(`SELECT rowid AS id, key, step, value, time FROM metrics WHERE ${RANGE} ORDER BY step DESC, rowid DESC LIMIT 1`)

/** Every metric key of a run, one index seek per key. */
function keysOf(run) {
  const keys = []
  for (let k = nextKey.get(run, ''); k !== null; k = nextKey.get(run, k)) keys.push(k)
  return keys
}

function series(args, maxPoints) {
  const { n, lo, hi } = extent.get(args)
  if (n <= maxPoints) return all.all(args)
  // One streaming pass: the lowest and the highest row of each step bucket.
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2))
  const width = (hi - lo + 1) / buckets
  const chosen = new Map()
  let bucket = -1
  let low = null
  let high = null
  const keep = () => {
    if (low) chosen.set(low[0], low)
    if (high) chosen.set(high[0], high)
  }
  for (const row of scan.iterate(args)) {
    const b = Math.floor((row[1] - lo) / width)
    if (b !== bucket) {
      keep()
      bucket = b
      low = high = row
    } else if (row[2] < low[2]) low = row
    else if (row[2] > high[2]) high = row
  }
  keep()
  const points = [...chosen.values()].map(([id, step, value]) => ({ id, key: args.key, step, value, time: timeOf.get(id) }))
  for (const p of [first.get(args), last.get(args)]) if (!chosen.has(p.id)) points.push(p)
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
