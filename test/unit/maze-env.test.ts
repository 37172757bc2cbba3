/**
 * The maze as agents and people see it: observation shapes and stacking,
 * frame skip, determinism under a seed, the world's declaration and outcome
 * lines, and a real `quarkade train` of the small maze with DQN.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { defaultParams, getWorld, makeEnv } from '../../src/core/catalog'
import { QNetwork, type DqnParams } from '../../src/core/agents/dqn'
import { MazeEnv, MazeVecEnv, MAZE_ACTIONS } from '../../src/core/maze/env'
import { GREY, TILE_CHANNELS } from '../../src/core/maze/raster'
import { formatPoints } from '../../src/core/maze/world'
import { Rng } from '../../src/core/rng'
import { RunStore } from '../../src/main/services/run-store'
import { resolveRunConfig, type RunConfig } from '../../src/shared/api'

const root = path.resolve(__dirname, '../..')

/** The settings a run was stored with, read from the real run store. */
function storedConfig(dataDir: string, runId: number): RunConfig {
  const store = new RunStore(dataDir)
  try {
    return store.getRun(runId).config
  } finally {
    store.close()
  }
}

describe('observations', () => {
  test('greyscale frames: tile-scale by default, s pixels per tile, 4 stacked; tile planes as the alternative', () => {
    expect(new MazeEnv(0).observationSpace.shape).toEqual([4, 31, 28])
    expect(new MazeEnv(0, { scale: 3 }).observationSpace.shape).toEqual([4, 93, 84])
    expect(new MazeEnv(0, { preset: 'small' }).observationSpace.shape).toEqual([4, 11, 11])
    expect(new MazeEnv(0, { preset: 'small', scale: 2, stack: 2 }).observationSpace.shape).toEqual([2, 22, 22])
    expect(new MazeEnv(0, { observation: 'tiles' }).observationSpace.shape).toEqual([4 * TILE_CHANNELS.length, 31, 28])
    expect(makeEnv('maze-v1', {}, 0).observationSpace.shape).toEqual([4, 31, 28])
  })

  test('a frame shows walls, pellets, ghosts and Ms. Pac-Man in their greys; the stack shifts by one picture per step', () => {
    const env = new MazeEnv(0, { preset: 'small' })
    const obs = env.reset(1).obs
    const n = 11 * 11
    const first = obs.slice(3 * n, 4 * n)
    for (let k = 0; k < 3; k++) expect(obs.slice(k * n, (k + 1) * n)).toEqual(first) // the first picture fills the stack
    expect(first[0]).toBeCloseTo(GREY.wall, 6)
    expect(first[1 * 11 + 1]).toBeCloseTo(GREY.power, 6)
    expect(first[1 * 11 + 2]).toBeCloseTo(GREY.pellet, 6)
    expect(first[7 * 11 + 5]).toBe(GREY.player)
    expect(first[3 * 11 + 5]).toBeCloseTo(GREY.blinky, 6)
    for (const v of obs) expect(v >= 0 && v <= 1).toBe(true)
    for (let k = 0; k < 4; k++) {
      const before = obs.slice()
      env.step(3)
      expect(obs.slice(0, 3 * n)).toEqual(before.slice(n, 4 * n))
    }
    // Two tiles on, she has moved in the newest picture.
    expect(obs.slice(3 * n)).not.toEqual(first)
    expect(obs[3 * n + 7 * 11 + 3]).toBe(GREY.player)
  })

  test('tile planes mark one kind of thing each', () => {
    const env = new MazeEnv(0, { preset: 'small', observation: 'tiles', stack: 1 })
    const obs = env.reset(1).obs
    const n = 11 * 11
    const plane = (name: (typeof TILE_CHANNELS)[number]): Float32Array => obs.slice(TILE_CHANNELS.indexOf(name) * n, (TILE_CHANNELS.indexOf(name) + 1) * n)
    const count = (a: Float32Array): number => a.reduce((s, v) => s + v, 0)
    expect(count(plane('pellets')) + count(plane('power pellets'))).toBe(env.game.totalPellets)
    expect(count(plane('power pellets'))).toBe(4)
    expect(count(plane('player'))).toBe(1)
    expect(plane('player')[7 * 11 + 5]).toBe(1)
    expect(count(plane('ghosts'))).toBeGreaterThanOrEqual(1)
    expect(count(plane('frightened ghosts'))).toBe(0)
    expect(plane('walls')[0]).toBe(1)
  })
})

describe("DQN's conv network on the stacked observations", () => {
  test.each(['frames', 'tiles'])('%s: the exported LayersModel and the training forward pass agree on [channels, H, W] input', async (observation) => {
    const env = makeEnv('maze', { preset: 'small', observation }, 0)
    const q = new QNetwork({ ...(defaultParams('maze', 'dqn') as unknown as DqnParams), batch_size: 4 }, env, 7)
    env.reset(1)
    for (let k = 0; k < 6; k++) env.step(k % 9)
    const obs = env.step(2).obs.slice()
    const raw = await q.qValues(obs)
    const layers = tf.tidy(() => (q.model.predict(tf.tensor2d(obs, [1, obs.length])) as tf.Tensor).dataSync())
    expect(raw).toHaveLength(9)
    for (let a = 0; a < 9; a++) expect(raw[a]).toBeCloseTo(layers[a], 4)
    // The channels really are convolved: the first layer's kernel sees every stacked plane.
    expect(q.model.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0].shape[2]).toBe(env.observationSpace.shape[0])
  })
})

describe('steps', () => {
  test('9 joystick actions; each is held for frame_skip game steps', () => {
    const env = new MazeEnv(0, { preset: 'small' })
    expect(env.actionSpace.labels).toEqual([...MAZE_ACTIONS])
    expect(env.actionSpace.n).toBe(9)
    env.reset(2)
    for (let k = 0; k < 5; k++) env.step(0)
    expect(env.game.steps).toBe(20)
    const skip2 = new MazeEnv(0, { preset: 'small', frameSkip: 2 })
    skip2.reset(2)
    for (let k = 0; k < 5; k++) skip2.step(0)
    expect(skip2.game.steps).toBe(10)
    expect(() => env.step(9)).toThrow('invalid action 9')
  })

  test('the same seed and actions give the same states, rewards and observations', () => {
    const trace = (seed: number): string => {
      const env = new MazeEnv(0, { preset: 'full' })
      env.reset(seed)
      const rng = new Rng(11)
      const out: string[] = []
      for (let k = 0; k < 3000; k++) {
        const r = env.step(rng.int(0, 9))
        const s = env.renderState()
        out.push(`${r.reward}:${s.player.x},${s.player.y}:${s.ghosts.map((g) => `${g.x},${g.y},${g.state}`).join('/')}:${r.obs.reduce((a, v, i) => a + v * (i % 7), 0)}`)
        if (r.terminated || r.truncated) break
      }
      return out.join('|')
    }
    expect(trace(3)).toBe(trace(3))
  })

  test('the episode ends at game over or the step cap; stats say what happened', () => {
    const env = new MazeEnv(0, { preset: 'small', maxSteps: 50 })
    env.reset(1)
    let r
    let steps = 0
    do {
      r = env.step(0)
      steps++
    } while (!r.terminated && !r.truncated)
    expect(r.truncated || r.terminated).toBe(true)
    const stats = env.episodeStats()
    expect(Object.keys(stats)).toEqual(['score', 'level', 'lives_lost', 'pellets_eaten', 'ghosts_eaten', 'score_per_action'])
    // Score per action: over the agent steps the game lasted.
    expect(stats.score_per_action).toBeCloseTo(stats.score / steps, 12)
    expect(() => env.step(0)).toThrow('after the episode ended')
    const s = env.renderState()
    expect(s.pellets).toHaveLength(121)
    // Small enough to keep per frame of a replay: the pellets are one byte a tile.
    expect(JSON.stringify({ ...s, pellets: null }).length).toBeLessThan(1000)
  })
})

describe('several games at once', () => {
  test('each copy plays a game a single env replays exactly from its seed and actions; ended games restart at once', () => {
    const vec = new MazeVecEnv(3, { preset: 'small', maxSteps: 40 })
    const obs = vec.reset(21)
    expect(obs).toHaveLength(3 * 4 * 11 * 11)
    const rng = new Rng(4)
    const seed = vec.seeds[1]
    const actions: number[] = []
    const rewards: number[] = []
    const parts: number[] = []
    for (let t = 0; t < 40; t++) {
      const a = [rng.int(0, 9), rng.int(0, 9), rng.int(0, 9)]
      vec.step(a)
      actions.push(a[1])
      rewards.push(vec.rewards[1])
      parts.push(vec.rewardParts[2], vec.rewardParts[3])
    }
    expect(vec.truncated[1]).toBe(1) // the step cap ended it…
    expect(vec.seeds[1]).not.toBe(seed) // …and the next game began
    const single = new MazeEnv(0, { preset: 'small', maxSteps: 40 })
    single.reset(seed)
    actions.forEach((a, t) => {
      const r = single.step(a)
      expect(r.reward).toBe(rewards[t])
      expect([...r.info.rewardParts]).toEqual(parts.slice(2 * t, 2 * t + 2))
    })
    // The new game's first picture is in place.
    const fresh = new MazeEnv(0, { preset: 'small', maxSteps: 40 }).reset(vec.seeds[1]).obs
    expect(obs.slice(4 * 121, 8 * 121)).toEqual(fresh)
  })
})

describe('the world', () => {
  test('maze-v1 is registered with its settings, DQN first, and outcome lines', () => {
    const w = getWorld('maze')
    expect(w.id).toBe('maze-v1')
    expect(w.defaultAlgo).toBe('dqn')
    expect(w.params.map((p) => p.key)).toEqual(expect.arrayContaining(['preset', 'reward', 'death_pen', 'ghost_mul', 'w_pellet', 'w_death', 'observation', 'frame_skip', 'max_steps']))
    expect(w.outcome(true, { level: 3, score: 3120, gameOver: true })).toBe('Cleared level 2 · 3\u202f120 points')
    expect(w.outcome(false, { level: 1, score: 860, gameOver: true })).toBe('Game over · 860 points')
    expect(w.outcome(false, { level: 1, score: 40, gameOver: false })).toBe('Out of steps · 40 points')
    expect(formatPoints(1234567)).toBe('1\u202f234\u202f567')
  })

  test("the replay memory must fit its budget at the run's frame size: the default fits, 84-wide frames need fewer transitions", () => {
    expect(resolveRunConfig({ env: 'maze', algo: 'dqn' }).params.memory_size).toBe(20000)
    expect(() => resolveRunConfig({ env: 'maze', algo: 'dqn', env_params: { frame_scale: 3 } })).toThrow(/memory_size 20000 needs .* set memory_size to at most 4295/)
    expect(resolveRunConfig({ env: 'maze', algo: 'dqn', env_params: { frame_scale: 3 }, params: { memory_size: 4295 } }).env_params.frame_scale).toBe(3)
  })

  test('settings are checked: an unknown reward or a bad preset is refused by name', () => {
    expect(() => makeEnv('maze', { reward: 'greedy' })).toThrow('reward must be one of')
    expect(() => makeEnv('maze', { preset: 'huge' })).toThrow('preset must be one of')
  })
})

describe('quarkade train --env maze', () => {
  const quarkade = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { encoding: 'utf8', timeout: 240_000 })

  test('trains DQN on the small maze with a reward function and world settings given by --reward and --set', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-maze-'))
    try {
      const r = quarkade(
        'train', '--env', 'maze', '--reward', 'life_penalty', '--set', 'death_pen=100', '--set', 'ghost_mul=2',
        '--set', 'learning_starts=32', '--set', 'batch_size=16', '--set', 'memory_size=500',
        '--env-set', 'preset=small', '--env-set', 'max_steps=60', '--episodes', '3', '--seed', '5', '--data-dir', dataDir, '--json',
      )
      expect(r.status, String(r.stderr)).toBe(0)
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!)
      expect(out).toMatchObject({ status: 'completed', env: 'maze-v1', algo: 'dqn', episodes: 3 })
      expect(out.grad_steps).toBeGreaterThan(0)
      // Means over the run's episodes: life_penalty takes 1 a step from the score.
      expect(Object.keys(out.run_means)).toEqual(expect.arrayContaining(['return', 'score', 'level', 'lives_lost', 'pellets_eaten', 'ghosts_eaten']))
      expect(out.mean_return).toBe(out.run_means.return)
      expect(out.run_means.return).toBeLessThan(out.run_means.score)
      expect(out.run_means.score - out.run_means.return).toBeLessThanOrEqual(60)
      const config = storedConfig(dataDir, out.run_id)
      expect(config.env_params).toMatchObject({ reward: 'life_penalty', death_pen: 100, ghost_mul: 2, preset: 'small' })
      expect(config.params.learning_starts).toBe(32)
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 300_000)

  test('--reward takes a reward file or a reward saved by name (quarkade reward save); bad ones are one line and exit code 2, with nothing written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-maze-'))
    try {
      const file = path.join(dir, 'careful.json')
      fs.writeFileSync(file, JSON.stringify({ name: 'careful', weights: { w_death: -2000 } }))
      const dataDir = path.join(dir, 'data')
      const ok = quarkade('train', '--env', 'maze', '--reward', file, '--env-set', 'preset=small', '--env-set', 'max_steps=20', '--episodes', '1', '--set', 'network=mlp', '--set', 'hidden=8', '--data-dir', dataDir, '--json')
      expect(ok.status, String(ok.stderr)).toBe(0)
      const runId = JSON.parse(String(ok.stdout).trim().split('\n').pop()!).run_id
      expect(storedConfig(dataDir, runId).env_params).toMatchObject({ reward: 'custom', w_death: -2000, w_pellet: 10 })

      // Saved under a name in the data folder, then used by name.
      const saved = quarkade('reward', 'save', 'very careful', '--set', 'w_death=-5000', '--set', 'w_step=-1', '--data-dir', dataDir, '--json')
      expect(saved.status, String(saved.stderr)).toBe(0)
      expect(JSON.parse(String(saved.stdout))).toMatchObject({ name: 'very careful', weights: { w_death: -5000, w_step: -1, w_ghost: 200 } })
      const list = JSON.parse(String(quarkade('reward', 'list', '--data-dir', dataDir, '--json').stdout))
      expect(list.map((r: { name: string }) => r.name)).toEqual(['very careful'])
      const byName = quarkade('train', '--env', 'maze', '--reward', 'very careful', '--env-set', 'preset=small', '--env-set', 'max_steps=20', '--episodes', '1', '--set', 'network=mlp', '--set', 'hidden=8', '--data-dir', dataDir, '--json')
      expect(byName.status, String(byName.stderr)).toBe(0)
      const named = JSON.parse(String(byName.stdout).trim().split('\n').pop()!)
      expect(storedConfig(dataDir, named.run_id).env_params).toMatchObject({ reward: 'custom', w_death: -5000, w_step: -1 })
      // With w_step −1 and no pellet weight changed, the return is the weighted events less 1 a step.
      expect(named.mean_return).toBeLessThan(named.run_means.score)
      for (const bad of [['../evil'], ['x', '--set', 'w_bonus=1'], ['x', '--set', 'w_death=lots']]) {
        const r = quarkade('reward', 'save', ...bad, '--data-dir', dataDir)
        expect(r.status).toBe(2)
        expect(String(r.stderr).trim().split('\n')).toHaveLength(1)
      }
      expect(fs.readdirSync(path.join(dataDir, 'rewards'))).toEqual(['very careful.json'])

      const empty = path.join(dir, 'none')
      const bad = quarkade('train', '--env', 'maze', '--reward', 'greedy', '--data-dir', empty)
      expect(bad.status).toBe(2)
      expect(String(bad.stderr).trim().split('\n')).toHaveLength(1)
      expect(String(bad.stderr)).toContain('unknown reward "greedy"')
      fs.writeFileSync(path.join(dir, 'bad.json'), '{"name": "x", "weights": {"w_bonus": 3}}')
      const badFile = quarkade('train', '--env', 'maze', '--reward', path.join(dir, 'bad.json'), '--data-dir', empty)
      expect(badFile.status).toBe(2)
      expect(String(badFile.stderr)).toContain('unknown weight "w_bonus"')
      expect(fs.existsSync(empty)).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 300_000)
})
