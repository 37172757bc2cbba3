/**
 * Starts trainer processes. The job supervisor sees only this interface; the
 * Electron host passes a utilityProcess launcher, the CLI and web hosts the
 * child_process one below.
 */
import { fork } from 'node:child_process'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FromTrainer, ToTrainer } from '../trainer/protocol'

export interface TrainerProcess {
  readonly pid: number | undefined
  send(message: ToTrainer): void
  onMessage(listener: (message: FromTrainer) => void): void
  /** Called once when the process is gone: exit code, or the signal that ended it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
}

export interface Launcher {
  launch(): TrainerProcess
}

/**
 * The trainer entry that matches how this host runs: built JavaScript next to
 * the built host (out/node/trainer.js, see vite.node.config.ts), or the
 * TypeScript source through tsx when the host itself runs from source.
 */
export function trainerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url)
  // tsx by its resolved URL: a bare `--import tsx` is looked up from the working folder (a Slurm job's is elsewhere).
  if (here.endsWith('.ts')) return { file: path.join(path.dirname(here), '../trainer/index.ts'), execArgv: ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] }
  return { file: path.join(path.dirname(here), 'trainer.js'), execArgv: [] }
}

/** Runs the trainer (see trainerEntry) in a Node child process. */
export function childProcessLauncher(entry = trainerEntry()): Launcher {
  return {
    launch() {
      if (process.env.QUARKADE_DEBUG) process.stderr.write(`quarkade: starting a trainer from ${entry.file}\n`)
      const child = fork(entry.file, [], {
        execArgv: entry.execArgv,
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        serialization: 'advanced',
      })
      // Keep the tail of stderr: a crash's last words become the run's failure reason.
      let stderrTail = ''
      child.stderr?.on('data', (d: Buffer) => {
        stderrTail = (stderrTail + d.toString()).slice(-4000)
        process.stderr.write(d)
      })
      return {
        pid: child.pid,
        send: (m) => {
          if (child.connected) child.send(m)
        },
        onMessage: (l) => child.on('message', (m) => l(m as FromTrainer)),
        onExit: (l) => child.on('exit', (code, signal) => l(code, signal ? `${signal}${lastErrorLine(stderrTail)}` : null)),
        kill: () => child.kill('SIGKILL'),
      }
    },
  }
}

function lastErrorLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error/i.test(l))
    .pop()
  return line ? ` — ${line}` : ''
}
