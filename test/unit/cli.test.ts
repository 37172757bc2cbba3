import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-cli-'))
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

function quarkade(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('quarkade CLI', () => {
  it('trains headless and prints one JSON object as its last line', () => {
    const r = quarkade('train', '--env', 'catch', '--algo', 'dqn', '--seed', '7', '--episodes', '30', '--set', 'lr=0.002', '--set', 'hidden=32,32', '--data-dir', dataDir, '--json')
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(last).toMatchObject({ status: 'completed', env: 'catch-v1', algo: 'dqn', backend: 'wasm', seed: 7, episodes: 30, env_steps: 270 })
    expect(typeof last.run_id).toBe('number')
    expect(last.grad_steps).toBeGreaterThan(0)
    expect(last.wall_s).toBeGreaterThan(0)
    expect(last.win_rate).toBeGreaterThanOrEqual(0)
    expect(r.stderr).toMatch(/episode 30\/30/)

    const list = quarkade('runs', '--data-dir', dataDir, '--json')
    expect(list.code).toBe(0)
    const runs = JSON.parse(list.stdout)
    const run = runs.find((x: { run_id: number }) => x.run_id === last.run_id)
    expect(run).toMatchObject({ status: 'completed', env: 'catch-v1', algo: 'dqn', episodes: 30 })
  })

  it.each([
    [['--env', 'pong', '--algo', 'dqn'], 'unknown env "pong"'],
    [['--env', 'catch', '--algo', 'dqn', '--set', 'lr=-0.01'], 'lr must be greater than 0'],
    [['--env', 'catch', '--algo', 'dqn', '--set', 'lr'], 'malformed --set "lr"'],
    [['--env', 'catch', '--algo', 'dqn', '--set', 'gamma=high'], 'gamma must be a number'],
    [['--env', 'catch', '--algo', 'dqn', '--episodes=-3'], 'episodes must be at least 1'],
    [['--env', 'catch', '--algo', 'dqn', '--episodes', '-3'], 'episodes must be at least 1'],
    [['--env', 'catch', '--algo', 'dqn', '--target', 'win_rate'], 'malformed --target'],
    [['--env', 'catch', '--algo', 'dqn', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['--algo', 'dqn'], '--env is required'],
  ])('rejects %j with one clear line and writes nothing', (args, message) => {
    const fresh = path.join(dataDir, `bad-${Math.random().toString(36).slice(2)}`)
    const r = quarkade('train', ...args, '--data-dir', fresh)
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n').filter((l) => !/npm warn/.test(l))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('quarkade: error:')
    expect(lines[0]).toContain(message)
    expect(fs.existsSync(fresh)).toBe(false)
  })
})
