/**
 * The trainer process entry: the same module runs as an Electron utilityProcess
 * and as a Node child process. It speaks the protocol in ./protocol.ts over
 * whichever parent channel it has, and exits when its job ends.
 */
import './webgpu-probe-start'
import { userMessage } from '../../shared/user-message'
import type { FromTrainer, ToTrainer } from './protocol'
import { getWorld } from '../../core/catalog'
import { TrainingSession } from './session'
import { createRlJob, playSaved } from './rl-job'
import { createDatasetJob } from './dataset-job'
import { playCombinedSaved } from './combined-play'

interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (e: { data: unknown }) => void): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

let unsent = 0
let flushed: (() => void) | null = null

function send(message: FromTrainer): void {
  if (parentPort) return parentPort.postMessage(message)
  unsent++
  process.send?.(message, undefined, {}, () => {
    unsent--
    if (unsent === 0) flushed?.()
  })
}

function onMessage(listener: (message: ToTrainer) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as ToTrainer))
  else process.on('message', (m) => listener(m as ToTrainer))
}

let session: TrainingSession | null = null

function finish(job: Promise<void>): void {
  job
    .then(() => exitSoon(0))
    .catch((e: unknown) => {
      send({ type: 'error', message: userMessage(e) })
      exitSoon(1)
    })
}

onMessage((message) => {
  switch (message.type) {
    case 'start':
      if (session) return
      // Per kind of world, the job behind the one session loop: an agent in an env, or a model on a data set.
      session = new TrainingSession(message, send, getWorld(message.config.env).kind === 'dataset' ? createDatasetJob : createRlJob)
      return finish(session.run())
    case 'play':
      return finish(playSaved(message, send))
    case 'play-combined':
      return finish(playCombinedSaved(message, send))
    case 'pause':
      return session?.control.pause()
    case 'resume':
      return session?.control.resume()
    case 'stop':
      return session?.control.stop()
  }
})

/** Exits once every message has left: the last batch and `done` must reach the parent. */
function exitSoon(code: number): void {
  if (parentPort || unsent === 0) {
    // Electron's parentPort has no delivery callback; its queue drains within a tick or two.
    setTimeout(() => process.exit(code), parentPort ? 100 : 0)
    return
  }
  flushed = () => process.exit(code)
}

// A trainer whose parent vanished has nobody to report to.
process.on('disconnect', () => process.exit(0))
// Signals to the whole process group (Ctrl-C, a closed terminal, a service manager) reach the
// trainer too: stop the run cleanly, with its final checkpoint, as the host asks at the same time.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => (session ? session.control.stop() : process.exit(0)))
