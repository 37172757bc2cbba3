/**
 * Serves `runs.metrics` from a worker thread (./metrics-worker.js) with its own
 * read-only connection, so a run with millions of metric rows neither blocks the
 * host's other requests nor arrives in one huge array: each series comes back
 * with at most `maxPoints` points (min/max per step bucket).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { MetricPoint } from '../../shared/api'

/** Points per series when the caller does not say (about the widest chart on a 4K screen, twice). */
export const DEFAULT_MAX_POINTS = 8000

export interface MetricsQuery {
  runId: number
  keys?: string[]
  /** At most this many points per series. */
  maxPoints?: number
  /** Only steps in [fromStep, toStep] (a zoomed chart). */
  fromStep?: number
  toStep?: number
}

type Reply = { id: number; points: MetricPoint[] } | { id: number; error: string }

export class MetricsReader {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (p: MetricPoint[]) => void; reject: (e: Error) => void }>()

  constructor(private readonly dbFile: string) {}

  query(q: MetricsQuery): Promise<MetricPoint[]> {
    const worker = this.start()
    const id = this.nextId++
    // Referenced only while a query is out: an idle reader never keeps a host alive.
    worker.ref()
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.postMessage({
        id,
        run: q.runId,
        keys: q.keys?.length ? q.keys : null,
        maxPoints: q.maxPoints ?? DEFAULT_MAX_POINTS,
        fromStep: q.fromStep ?? -Number.MAX_VALUE,
        toStep: q.toStep ?? Number.MAX_VALUE,
      })
    })
  }

  private start(): Worker {
    if (this.worker) return this.worker
    // Beside this module: src/main/services/ under Node/tsx, out/main/ in the Electron build.
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'metrics-worker.js')
    const worker = new Worker(entry, { workerData: { file: this.dbFile } })
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id)
      if (!p) return
      this.pending.delete(reply.id)
      if (this.pending.size === 0) worker.unref()
      if ('error' in reply) p.reject(new Error(reply.error))
      else p.resolve(reply.points)
    })
    const fail = (e: Error): void => {
      for (const p of this.pending.values()) p.reject(new Error(`reading metrics failed: ${e.message}`))
      this.pending.clear()
      this.worker = null
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the metrics reader stopped (exit code ${code})`)))
    this.worker = worker
    return worker
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = null
    if (w) await w.terminate()
  }
}
