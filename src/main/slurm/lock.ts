/**
 * Lock files for a submission folder, so that two Quarkade processes (the app watching a
 * submission and `quarkade slurm status` in a terminal) never import one attempt twice or write
 * the manifest over each other. A lock is a file created with O_EXCL (atomic on NFS v3+ too)
 * holding `host pid time`; it is stale when its process is gone (same host) or it is older than
 * STALE_MS (another host, which we cannot ask).
 */
import fs from 'node:fs'
import os from 'node:os'
import { isAlive } from '../services/run-store'

const STALE_MS = 60 * 60 * 1000

function isStale(file: string): boolean {
  try {
    const [host, pid] = fs.readFileSync(file, 'utf8').split(' ')
    if (host === os.hostname()) return !isAlive(Number(pid))
    return Date.now() - fs.statSync(file).mtimeMs > STALE_MS
  } catch {
    return false
  }
}

/** Takes the lock, or returns null when another live process holds it. Call the result to release. */
export function tryLock(file: string): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx')
      fs.writeSync(fd, `${os.hostname()} ${process.pid} ${Date.now()}`)
      fs.closeSync(fd)
      return () => fs.rmSync(file, { force: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      if (!isStale(file)) return null
      fs.rmSync(file, { force: true })
    }
  }
  return null
}

/** Runs `fn` holding the lock, waiting up to `waitMs` for it. */
export function withLock<T>(file: string, fn: () => T, waitMs = 10_000): T {
  const deadline = Date.now() + waitMs
  for (;;) {
    const release = tryLock(file)
    if (release) {
      try {
        return fn()
      } finally {
        release()
      }
    }
    if (Date.now() > deadline) throw new Error(`${file} stays locked by another Quarkade process; if none runs, delete that file`)
    // Writers hold this lock for milliseconds: a short synchronous wait keeps callers simple.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
  }
}
