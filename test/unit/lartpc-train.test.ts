/**
 * A real LArTPC run end to end: `quarkade gen lartpc` writes a generated-event
 * file, `quarkade train --env lartpc --data FILE --json` (no --algo: the
 * world's default) trains in a real trainer process, ends with the world's
 * final evaluation on held-out events (metrics in the JSON, results JSON in
 * the store), and `quarkade play --run ID --json` plays its model.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RunStore } from '../../src/main/services/run-store'
import type { LartpcResults } from '../../src/core/lartpc/world'

const root = path.resolve(import.meta.dirname, '../..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-lartpc-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function quarkade(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop()!)

describe('LArTPC training through the CLI', () => {
  const file = path.join(dir, 'events.h5')
  const dataDir = path.join(dir, 'runs')

  it('trains the default algorithm on a generated file, evaluates on held-out events, and plays the model', () => {
    const gen = quarkade('gen', 'lartpc', '--n', '10', '--size', '64', '--seed', '4', '--out', file, '--json')
    expect(gen.code, gen.stderr).toBe(0)

    const r = quarkade('train', '--env', 'lartpc', '--data', file, '--episodes', '8', '--seed', '3', '--env-set', 'trials=4', '--set', 'learning_starts=32', '--set', 'batch_size=32', '--data-dir', dataDir, '--json')
    expect(r.code, r.stderr).toBe(0)
    const out = lastJson(r.stdout)
    expect(out).toMatchObject({ status: 'completed', env: 'lartpc-v1', algo: 'two-head-dqn', episodes: 8, env_steps: expect.any(Number) })
    expect(out.grad_steps).toBeGreaterThan(0)
    for (const k of ['pixel_accuracy', 'heldout_coverage', 'reward_per_trial', 'mean_accuracy']) expect(typeof out[k], k).toBe('number')
    expect(out.pixel_accuracy).toBeGreaterThanOrEqual(0)
    expect(out.pixel_accuracy).toBeLessThanOrEqual(1)
    // No VAE fields on an agent's run that reads a data file.
    expect(out).not.toHaveProperty('val_loss')

    const store = new RunStore(dataDir)
    try {
      const results = store.results(out.run_id as number) as unknown as LartpcResults
      expect(results).toMatchObject({ kind: 'lartpc', classes: ['blank', 'EM shower', 'track'], events: 1, eventIndices: [9] })
      const visited = results.confusion.flat().reduce((a, b) => a + b, 0)
      expect(visited).toBe(results.visitedPixels)
      expect(results.pixelAccuracy).toBeCloseTo(out.pixel_accuracy as number, 10)
      // Each recorded replay stores (move, class) per step and 8 + 3 outputs per step.
      const replay = store.db.prepare('SELECT actions, outputs FROM replays WHERE run_id = ? LIMIT 1').get(out.run_id) as { actions: Buffer; outputs: Buffer }
      expect((replay.actions.byteLength / 4) % 2).toBe(0)
      expect(replay.outputs.byteLength / 4).toBe((11 * replay.actions.byteLength) / 4 / 2)
    } finally {
      store.close()
    }

    const play = quarkade('play', '--run', String(out.run_id), '--episodes', '2', '--data-dir', dataDir, '--json')
    expect(play.code, play.stderr).toBe(0)
    expect(lastJson(play.stdout)).toMatchObject({ run_id: out.run_id, env: 'lartpc-v1', episodes: 2 })
  })

  it('N episodes + resume to 2N gives the episodes and held-out results of 2N straight (the events reopened)', () => {
    const args = ['--env', 'lartpc', '--data', file, '--seed', '5', '--env-set', 'trials=3', '--set', 'learning_starts=16', '--set', 'batch_size=16', '--data-dir', dataDir, '--json']
    const straight = quarkade('train', ...args, '--episodes', '6')
    expect(straight.code, straight.stderr).toBe(0)
    const half = quarkade('train', ...args, '--episodes', '3')
    expect(half.code, half.stderr).toBe(0)
    const halfId = lastJson(half.stdout).run_id as number
    const resumed = quarkade('train', '--resume', String(halfId), '--episodes', '6', '--data-dir', dataDir, '--json')
    expect(resumed.code, resumed.stderr).toBe(0)
    const a = lastJson(straight.stdout)
    const b = lastJson(resumed.stdout)
    expect(b).toMatchObject({ status: 'completed', episodes: 6, env_steps: a.env_steps, grad_steps: a.grad_steps, pixel_accuracy: a.pixel_accuracy, reward_per_trial: a.reward_per_trial })
    const store = new RunStore(dataDir)
    try {
      const rows = (id: number): unknown[] => store.db.prepare('SELECT episode, seed, return, length, won FROM episodes WHERE run_id = ? ORDER BY episode').all(id)
      expect(rows(halfId)).toEqual(rows(a.run_id as number))
      expect(store.results(halfId)).toEqual(store.results(a.run_id as number))
    } finally {
      store.close()
    }
  })

  it('refuses a run without a data file, and DQN, with one clear line', () => {
    const none = quarkade('train', '--env', 'lartpc', '--data-dir', path.join(dir, 'x'))
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/lartpc needs a data file/)
    const dqn = quarkade('train', '--env', 'lartpc', '--algo', 'dqn', '--data', file, '--data-dir', path.join(dir, 'y'))
    expect(dqn.code).toBe(2)
    expect(dqn.stderr).toMatch(/DQN needs one discrete action per step/)
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false)
  })
})
