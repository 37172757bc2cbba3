import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MetricPoint, Policy, RunSummary, TrackInfo } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { trackFromAscii, trackFromJSON, trackToJSON } from '../../src/core/racer/track'
import { builtinTrack } from '../../src/core/racer/builtin-tracks'
import { getWorld, makeEnv } from '../../src/core/catalog'
import { implementationOf } from '../../src/core/agents/implementations'
import { MAX_POLICY_SNAPSHOTS, policySnapshotStride } from '../../src/main/trainer/rl-job'

const root = path.resolve(import.meta.dirname, '../..')
let dataDir: string
let services: Services

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-racer-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
})
afterAll(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function quarkade(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 300_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop()!)

const LOOP = [
  '#######',
  '#S....#',
  '#.###.#',
  '#.#G..#',
  '#######',
]

describe('track library', () => {
  it('saves a valid track, lists it with built-ins, and refuses broken ones without saving', async () => {
    const loop = { ...trackToJSON(trackFromAscii(LOOP)), name: 'loop' }
    const saved = (await services.api.handle('tracks.save', { track: loop })) as TrackInfo
    expect(saved).toMatchObject({ name: 'loop', width: 7, height: 5, shortest: 8, builtin: false })
    await expect(services.api.handle('tracks.save', { track: loop })).rejects.toThrow('a track named "loop" already exists')
    const walledIn = { ...trackToJSON(trackFromAscii(['#####', '#S#G#', '#####'])), name: 'walled' }
    await expect(services.api.handle('tracks.save', { track: walledIn })).rejects.toThrow('goal (3,1) cannot be reached from the start (1,1)')
    const noStart = { ...trackToJSON(trackFromAscii(['....G'])), name: 'nostart' }
    await expect(services.api.handle('tracks.save', { track: noStart })).rejects.toThrow(/no start/i)
    await expect(services.api.handle('tracks.save', { track: { ...loop, name: 'track1' } })).rejects.toThrow(/built-in/)
    const list = (await services.api.handle('tracks.list', {})) as TrackInfo[]
    expect(list.filter((t) => !t.builtin).map((t) => t.name)).toEqual(['loop'])
    expect(list.find((t) => t.name === 'track1')).toMatchObject({ builtin: true, shortest: 18 })
    expect(list.find((t) => t.name === 'track2')).toMatchObject({ builtin: true, shortest: 15 })

    const cli = quarkade('tracks', '--json')
    expect(cli.code).toBe(0)
    expect(JSON.parse(cli.stdout).map((t: TrackInfo) => t.name)).toContain('loop')
  })
})

describe('Pixel Racer training', () => {
  it.each([
    ['track1', 18],
    ['track2', 15],
  ])('the Q-table reaches the shortest path on %s within 500 episodes (CLI, seeded)', (track, shortest) => {
    const r = quarkade('train', '--env', 'racer', '--track', track, '--algo', 'qtable', '--seed', '9', '--episodes', '500', '--json')
    expect(r.code).toBe(0)
    const out = lastJson(r.stdout)
    expect(out).toMatchObject({ status: 'completed', env: 'racer-v1', algo: 'qtable', track, shortest_steps: shortest, greedy_steps: shortest })
  })

  it('trains on a library track and a track file, and stores the greedy policy table', async () => {
    const file = path.join(dataDir, 'mine.txt')
    fs.writeFileSync(file, '6\nlw 0 0 7 0\nlw 0 4 7 4\nlw 0 0 0 5\nlw 6 0 6 5\nr 1 1\ng 5 3\n')
    const fromFile = quarkade('train', '--env', 'racer', '--track', file, '--algo', 'qtable', '--seed', '1', '--episodes', '200', '--json')
    expect(fromFile.code).toBe(0)
    expect(lastJson(fromFile.stdout)).toMatchObject({ status: 'completed', track: 'mine', shortest_steps: 6, greedy_steps: 6 })

    const run = (await services.api.handle('runs.start', { env: 'racer', algo: 'qtable', track: 'loop', seed: 2, episodes: 200 })) as RunSummary
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('completed')
    expect(final.config.track?.rows).toEqual(LOOP)
    // A Q-table run is over in well under a second: it still reports its throughput (not "No data recorded").
    const rates = (await services.api.handle('runs.metrics', { id: run.id, keys: ['env_steps_per_s'] })) as MetricPoint[]
    expect(rates.length).toBeGreaterThan(0)
    expect(rates.every((p) => p.value > 0)).toBe(true)
    const policy = (await services.api.handle('runs.policy', { id: run.id })) as Policy
    expect(policy).toMatchObject({ width: 7, height: 5, nActions: 4, episode: 200 })
    expect(policy.q).toHaveLength(7 * 5 * 4)
    expect(policy.q.slice(0, 4)).toEqual([null, null, null, null]) // (0,0) is a wall
    // At the cell left of the goal (2,3)… the goal is at (3,3): from (4,3) moving left (action 1) scores.
    const cell = 3 * 7 + 4
    const row = policy.q.slice(cell * 4, cell * 4 + 4) as number[]
    expect(row.indexOf(Math.max(...row))).toBe(1)
  })

  it('keeps the policy as it was at recorded episodes (training days), evenly over the run and bounded', async () => {
    const run = (await services.api.handle('runs.start', { env: 'racer', algo: 'qtable', track: 'loop', seed: 3, episodes: 120, replay_every: 1 })) as RunSummary
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('completed')
    // 120 recorded episodes: every third one's policy (after episodes 1, 4, …, 118) and the last.
    const kept = (await services.api.handle('runs.policyEpisodes', { id: run.id })) as number[]
    expect(kept).toEqual([...Array.from({ length: 40 }, (_, i) => 1 + 3 * i), 120])
    expect(kept.length).toBeLessThanOrEqual(MAX_POLICY_SNAPSHOTS)
    const early = (await services.api.handle('runs.policyAt', { id: run.id, episode: 4 })) as Policy
    const last = (await services.api.handle('runs.policyAt', { id: run.id, episode: 120 })) as Policy
    expect(early).toMatchObject({ runId: run.id, episode: 4, width: 7, height: 5, nActions: 4 })
    expect(last.q).toEqual(((await services.api.handle('runs.policy', { id: run.id })) as Policy).q)
    expect(early.q).not.toEqual(last.q)
    expect(await services.api.handle('runs.policyAt', { id: run.id, episode: 5 })).toBeNull()

    // The same agent trained here for 4 episodes has exactly the kept values (float32).
    const c = final.config
    const assets = { track: trackFromJSON(c.track!, { validate: false }) }
    const env = makeEnv(c.env, c.env_params, 0, assets)
    const agent = implementationOf(c.algo).create(env, c.params, c.seed, () => makeEnv(c.env, c.env_params, 0, assets))
    for await (const _ of agent.train(4, () => true)) void _
    const recomputed = await getWorld(c.env).monitor!(c.env_params, assets).policy!((obs) => agent.outputs!(obs))
    agent.dispose()
    expect(early.q).toEqual(recomputed.q.map((v) => (v === null ? null : Math.fround(v))))
  })

  it('the kept policies stay within 50 and the size bound however long the run', () => {
    for (const [episodes, every, bytes] of [[100_000, 1, 4_000], [1_000, 10, 4_000], [500, 1, 2_000_000], [7, 10, 100]]) {
      const stride = policySnapshotStride(episodes, every, bytes)
      const kept = Math.ceil(Math.ceil(episodes / every) / stride) + 1
      expect(kept).toBeLessThanOrEqual(MAX_POLICY_SNAPSHOTS)
      expect(kept * bytes).toBeLessThanOrEqual(16 * 1024 * 1024)
    }
  })

  it('a malformed track file gets an error naming the line, and nothing is written', () => {
    const file = path.join(os.tmpdir(), `bad-${process.pid}.txt`)
    fs.writeFileSync(file, '3\nlw 0 0 5 0\nzz 1 2\nr 1 1\n')
    const fresh = path.join(os.tmpdir(), `quarkade-none-${process.pid}`)
    const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), 'train', '--env', 'racer', '--algo', 'qtable', '--track', file, '--data-dir', fresh], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/line 3: unknown primitive "zz"/)
    expect(fs.existsSync(fresh)).toBe(false)
    const unknown = quarkade('train', '--env', 'racer', '--algo', 'qtable', '--track', 'nope')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no track named "nope"/)
  })

  it('DQN with replay buffer and soft target reaches the goal within 1.2× the shortest path', () => {
    const r = quarkade('train', '--env', 'racer', '--track', 'track1', '--algo', 'dqn', '--seed', '1', '--episodes', '500', '--json')
    expect(r.code).toBe(0)
    const out = lastJson(r.stdout) as { greedy_steps: number; shortest_steps: number }
    expect(out.greedy_steps).not.toBeNull()
    expect(out.greedy_steps).toBeLessThanOrEqual(1.2 * out.shortest_steps)
    // 500 episodes in a real trainer: 90 s on a busy 2-core machine, more when other tests train too.
  }, 400_000)
})

it('built-in tracks resolve into run configs with their shortest paths', async () => {
  expect(builtinTrack('track1').width).toBe(11)
  await expect(services.api.handle('runs.start', { env: 'catch', algo: 'dqn', track: 'track1' })).rejects.toThrow('catch does not use a track')
  await expect(services.api.handle('runs.start', { env: 'racer', algo: 'qtable', env_params: { obs: 'pixels' } })).rejects.toThrow(/obs must be one of/)
})
