/**
 * The web host as a real process for tests: `tsx src/main/hosts/web.ts --port 0 …`,
 * ready when it prints `QUARKADE_WEB_READY <url with ?token=>`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface HostProcess {
  child: ChildProcess
  /** Resolves with the address to open (with its token) once the host is listening. */
  ready: Promise<string>
}

export function startHostProcess(opts: { dataDir: string; staticDir: string; allowDirs?: string[]; onLog?: (text: string) => void }): HostProcess {
  const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs')
  const args = ['src/main/hosts/web.ts', '--port', '0', '--data-dir', opts.dataDir, '--static', opts.staticDir, ...(opts.allowDirs ?? []).flatMap((d) => ['--allow-dir', d])]
  const child = spawn(process.execPath, [tsx, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start within 90 s:\n${log}`)), 90_000)
    const onData = (d: Buffer): void => {
      log = (log + d.toString()).slice(-20_000)
      opts.onLog?.(log)
      const m = /QUARKADE_WEB_READY (\S+)/.exec(log)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited (${code}) before it was ready:\n${log}`))
    })
  })
  return { child, ready }
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopHostProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return
  const gone = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))
  if ((await Promise.race([gone, timeout])) === 'timeout') {
    child.kill('SIGKILL')
    await gone
  }
}

/** A host process on a fresh temporary folder (data and a stub page); `close` stops it and removes the folder. */
export async function startTempHost(prefix: string): Promise<{ dir: string; dataDir: string; openUrl: URL; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  fs.mkdirSync(path.join(dir, 'static'))
  fs.writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Quarkade</title>')
  const host = startHostProcess({ dataDir: path.join(dir, 'data'), staticDir: path.join(dir, 'static') })
  const close = async (): Promise<void> => {
    await stopHostProcess(host.child)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    return { dir, dataDir: path.join(dir, 'data'), openUrl: new URL(await host.ready), close }
  } catch (e) {
    await close()
    throw e
  }
}
