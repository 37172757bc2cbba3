import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const cli = path.join(root, 'bin/quarkade.mjs')
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-cli-signals-'))
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

/**
 * Starts a long `quarkade train`, sends `signal` once the run is under way (to the CLI alone,
 * or to its whole process group as a closing terminal does), and waits for it to exit.
 */
function trainUntilSignal(signal: NodeJS.Signals, toGroup: boolean, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, 'train', '--env', 'catch', '--algo', 'dqn', '--seed', '3', '--episodes', '1000000', ...extra, '--data-dir', dataDir, '--json'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let sent = false
  child.stdout.on('data', (d: Buffer) => (stdout += d))
  child.stderr.on('data', (d: Buffer) => {
    stderr += d
    if (!sent && /running · episode [1-9]/.test(stderr)) {
      sent = true
      process.kill(toGroup ? -child.pid! : child.pid!, signal)
    }
  })
  // Bounded: a CLI that ignores the signal is killed and the test fails on its exit code.
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    }),
  )
}

describe('quarkade train under signals', () => {
  it.each([
    ['SIGINT', false],
    ['SIGTERM', false],
    ['SIGHUP', true],
  ] as const)('%s leaves the run stopped with a final checkpoint (to its process group: %s)', async (signal, toGroup) => {
    const r = await trainUntilSignal(signal, toGroup)
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(last.status).toBe('stopped')
    expect(last.status_reason).toMatch(/^stopped by the user after \d+ episodes$/)
    const list = spawnSync(process.execPath, [cli, 'runs', '--data-dir', dataDir, '--json'], { encoding: 'utf8', timeout: 60_000 })
    const run = JSON.parse(list.stdout).find((x: { run_id: number }) => x.run_id === last.run_id)
    expect(run.status).toBe('stopped')
    // The final checkpoint is at the episode the run stopped at, and holds the model and training state.
    const finalDir = path.join(dataDir, 'checkpoints', `run-${last.run_id}`, `episode-${last.episodes}`)
    expect(fs.existsSync(path.join(finalDir, 'model.json'))).toBe(true)
    expect(fs.existsSync(path.join(finalDir, 'training-state.json'))).toBe(true)
  })
  // A checkpoint every episode flushes a batch long before the batch interval is due; the trainer
  // once took its pauses for messages only with a due batch, so a fast run never heard the stop.
  it('SIGTERM stops a fast run that checkpoints every episode', async () => {
    const r = await trainUntilSignal('SIGTERM', false, ['--checkpoint-every', '1', '--set', 'hidden=32,32'])
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(last).toMatchObject({ status: 'stopped' })
    expect(last.episodes).toBeLessThan(1_000_000)
  })
})
