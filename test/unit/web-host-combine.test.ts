/**
 * Combined play (runs.playCombined) and saved rewards (rewards.*) through a real
 * web host process on 127.0.0.1: two tiny maze runs train in real trainers,
 * their models play as one; rewards are saved, listed, refused over an existing
 * name and deleted; hostile input gets one line and changes nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { CombinedPlayResult, RunSummary, SavedRewardInfo } from '../../src/shared/api'
import { makeEnv } from '../../src/core/catalog'
import { startTempHost } from '../support/web-host-process'

let host: Awaited<ReturnType<typeof startTempHost>>
let dir: string
let openUrl: URL

beforeAll(async () => {
  host = await startTempHost('quarkade-combine-')
  ;({ dir, openUrl } = host)
}, 90_000)

afterAll(() => host?.close())

/** One API call on its own connection: the result, or the error line. */
function call<T>(method: string, input: unknown): Promise<{ ok: true; result: T } | { ok: false; error: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${openUrl.port}/api?token=${openUrl.searchParams.get('token')}`)
    ws.once('error', reject)
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method, input })))
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString())
      if (m.id !== 1) return
      ws.close()
      resolve(m)
    })
  })
}
async function api<T>(method: string, input: unknown): Promise<T> {
  const reply = await call<T>(method, input)
  if (!reply.ok) throw new Error(reply.error)
  return reply.result
}
async function refused(method: string, input: unknown): Promise<string> {
  const reply = await call(method, input)
  expect(reply.ok).toBe(false)
  return (reply as { error: string }).error
}

const TINY = { preset: 'small', max_steps: 150 }
async function trainTiny(seed: number, envParams: Record<string, unknown> = TINY): Promise<RunSummary> {
  const run = await api<RunSummary>('runs.start', { env: 'maze', seed, episodes: 2, params: { learning_starts: 50 }, env_params: envParams, checkpoint_every: 0 })
  for (;;) {
    const now = await api<RunSummary>('runs.get', { id: run.id })
    if (['completed', 'failed', 'stopped'].includes(now.status)) return now
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('runs.playCombined', () => {
  it('plays A while lives ≥ k, then B, and each alone over the same seeds; the same seed gives the same games', async () => {
    const a = await trainTiny(1)
    const b = await trainTiny(2, { ...TINY, reward: 'death_tax' })
    expect([a.status, b.status]).toEqual(['completed', 'completed'])
    const result = await api<CombinedPlayResult>('runs.playCombined', { a: a.id, b: b.id, atLeast: 3, episodes: 3, seed: 5 })
    expect(result.runs).toEqual([a.id, b.id])
    expect(result.phase).toEqual({ key: 'lives', label: 'Lives' })
    expect(result.games).toHaveLength(3)
    expect(result.alone[0].map((g) => g.seed)).toEqual(result.games.map((g) => g.seed))
    expect(result.alone[1].map((g) => g.seed)).toEqual(result.games.map((g) => g.seed))
    for (const g of result.games) {
      expect(g.actors).toHaveLength(g.length)
      // Re-simulate seed + actions with A's settings: the lives before each step say who acted.
      const env = makeEnv('maze-v1', a.config.env_params)
      env.reset(g.seed)
      let ret = 0
      g.actions.forEach((action, t) => {
        const lives = (env.renderState() as { lives: number }).lives
        expect(g.actors[t]).toBe(lives >= 3 ? 0 : 1)
        ret += env.step(action as never).reward
      })
      expect(ret).toBe(g.return)
    }
    expect(await api<CombinedPlayResult>('runs.playCombined', { a: a.id, b: b.id, atLeast: 3, episodes: 3, seed: 5 })).toEqual(result)

    // A run of the full maze sees another game: refused with the settings named, before any process starts.
    const full = await api<RunSummary>('runs.start', { env: 'maze', seed: 3, episodes: 1, env_params: { max_steps: 5 } })
    expect(await refused('runs.playCombined', { a: a.id, b: full.id, atLeast: 2, episodes: 1 })).toMatch(
      new RegExp(`run ${a.id} and run ${full.id} see the game differently \\(settings that differ: preset "small" vs "full"`),
    )
    const catchRun = await api<RunSummary>('runs.start', { env: 'catch', seed: 3, episodes: 1 })
    expect(await refused('runs.playCombined', { a: a.id, b: catchRun.id, atLeast: 2, episodes: 1 })).toMatch(/both models must be for the same world/)
  }, 240_000)

  it('refuses hostile input with one line', async () => {
    expect(await refused('runs.playCombined', { a: 1, b: 2, atLeast: 1.5, episodes: 1 })).toMatch(/atLeast: the switch level must be a whole number/)
    expect(await refused('runs.playCombined', { a: 1, b: 2, atLeast: -1, episodes: 1 })).toMatch(/atLeast: the switch level must be at least 0/)
    expect(await refused('runs.playCombined', { a: 1, b: 2, atLeast: 2, episodes: 100_000 })).toMatch(/episodes: play at most 1000 episodes at once/)
    expect(await refused('runs.playCombined', { a: '1; rm -rf /', b: 2, atLeast: 2, episodes: 1 })).toMatch(/^runs\.playCombined: a: /)
    expect(await refused('runs.playCombined', { a: 1, b: 2, atLeast: 2, episodes: 1, extra: true })).toMatch(/runs\.playCombined: .*extra/)
    expect(await refused('runs.playCombined', { a: 1, b: 999_999, atLeast: 2, episodes: 1 })).toMatch(/run 999999 does not exist/)
  })
})

describe('rewards.*', () => {
  it('saves, lists, refuses to overwrite without being told, and deletes (returning what was deleted)', async () => {
    expect(await api<SavedRewardInfo[]>('rewards.list', {})).toEqual([])
    const saved = await api<{ name: string; weights: Record<string, number>; path: string }>('rewards.save', { name: 'careful', weights: { w_death: -2000, w_step: -1 } })
    expect(saved.path).toBe(path.join(dir, 'data', 'rewards', 'careful.json'))
    expect(saved.weights).toMatchObject({ w_death: -2000, w_step: -1, w_pellet: 10 })
    expect(await refused('rewards.save', { name: 'careful', weights: { w_death: 0 } })).toBe('a reward named "careful" is already saved; save with overwrite to replace it')
    expect((await api<SavedRewardInfo[]>('rewards.list', {}))[0].weights?.w_death).toBe(-2000)
    await api('rewards.save', { name: 'careful', weights: { w_death: -1 }, overwrite: true })
    const listed = await api<SavedRewardInfo[]>('rewards.list', {})
    expect(listed.map((r) => [r.name, r.weights?.w_death])).toEqual([['careful', -1]])
    const deleted = await api<{ deleted: string; reward: { weights: Record<string, number> } }>('rewards.delete', { name: 'careful' })
    expect(deleted.reward.weights.w_death).toBe(-1)
    expect(await api<SavedRewardInfo[]>('rewards.list', {})).toEqual([])
    expect(await refused('rewards.delete', { name: 'careful' })).toBe('no saved reward named "careful"')
  })

  it('refuses hostile names and weights with one line, writing nothing', async () => {
    expect(await refused('rewards.save', { name: '../../escape', weights: {} })).toMatch(/"\.\.\/\.\.\/escape" is not a reward name/)
    expect(await refused('rewards.save', { name: 'x'.repeat(5000), weights: {} })).toMatch(/name: a reward name has at most 60 characters/)
    expect(await refused('rewards.save', { name: 'big', weights: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`w_${i}`, 1])) })).toMatch(/at most 32 weights/)
    expect(await refused('rewards.save', { name: 'x', weights: { w_death: 'lots' } })).toMatch(/^rewards\.save: weights\.w_death: /)
    expect(await refused('rewards.save', { name: 'x', weights: { w_bonus: 1 } })).toMatch(/unknown weight "w_bonus"/)
    expect(await refused('rewards.save', { name: 'vanilla', weights: {} })).toMatch(/built-in reward function/)
    expect(await refused('rewards.delete', { name: '../run-store.sqlite' })).toMatch(/is not a reward name/)
    expect(fs.existsSync(path.join(dir, 'data', 'rewards')) ? fs.readdirSync(path.join(dir, 'data', 'rewards')) : []).toEqual([])
  })
})
