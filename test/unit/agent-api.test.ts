/**
 * The qlearning4k API (src/core/qlearning4k, through its Node entry
 * src/main/qlearning4k): Agent.train / Agent.play with a user's compiled tfjs
 * model, the Game ⇄ Env adapters, the replay memory, checkpoints saved to
 * folders and the custom-game example.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { Agent, Catch, ExperienceReplay, Snake, envFromGame, formatEpoch, gameFromEnv, saveModelFolder, type EpochInfo, type Game } from '../../src/main/qlearning4k'
import { CatchEnv } from '../../src/core/catch/env'
import { SnakeEnv } from '../../src/core/snake/env'
import type { Env } from '../../src/core/env'
import { Dqn } from '../../src/core/agents/dqn'
import { defaultParams } from '../../src/core/catalog'
import { playGreedy } from '../../src/core/agents/play'
import { Rng, deriveSeed } from '../../src/core/rng'
import { Corridor, main as customGameMain } from '../../examples/custom-game'

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

/** qlearning4k's Catch network (Flatten → Dense ×2 relu → 3), seeded. */
function catchModel(seed: number, hidden = 64, optimizer: tf.Optimizer = tf.train.adam(0.002)): tf.Sequential {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) })
  const model = tf.sequential()
  model.add(tf.layers.flatten({ inputShape: [1, 10, 10] }))
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(0) }))
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(1) }))
  model.add(tf.layers.dense({ units: 3, kernelInitializer: init(2) }))
  model.compile({ optimizer, loss: 'meanSquaredError' })
  return model
}

function corridorModel(seed: number): tf.Sequential {
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [14], kernelInitializer: tf.initializers.glorotUniform({ seed }) }))
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }))
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  return model
}

interface Transition {
  s: number[]
  a: number
  r: number
  s2: number[]
  over: boolean
}

/** Wraps a game and records every transition the agent makes (frames as plain arrays). */
class Recorder implements Game {
  readonly transitions: Transition[] = []
  readonly name: string
  readonly nbActions: number
  private last: number[] = []
  constructor(readonly inner: Game) {
    this.name = inner.name
    this.nbActions = inner.nbActions
  }
  reset(): void {
    this.inner.reset()
    this.last = Array.from(this.inner.getState())
  }
  play(action: number): void {
    this.inner.play(action)
    const s2 = Array.from(this.inner.getState())
    this.transitions.push({ s: this.last, a: action, r: this.inner.getScore(), s2, over: this.inner.isOver() })
    this.last = s2
  }
  getState(): Float32Array {
    return this.inner.getState()
  }
  getScore(): number {
    return this.inner.getScore()
  }
  isOver(): boolean {
    return this.inner.isOver()
  }
  isWon(): boolean {
    return this.inner.isWon()
  }
}

const weightsOf = (m: tf.LayersModel): number[][] => m.getWeights().map((w) => Array.from(w.dataSync()))

describe('Agent on Catch', () => {
  it('learns Catch: ≥ 90 % of 100 greedy games won after 200 seeded epochs (MLP, Adam, batch 32)', async () => {
    const model = catchModel(0)
    const agent = new Agent({ model })
    const infos: EpochInfo[] = []
    const history = await agent.train(new Catch(0), { nbEpoch: 200, batchSize: 32, seed: 0, onEpoch: (i) => infos.push(i) })
    expect(history.loss).toHaveLength(200)
    expect(history.wins).toHaveLength(200)
    expect(history.winCount).toBe(history.wins.filter(Boolean).length)
    expect(infos.map((i) => i.epoch)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1))
    expect(infos.every((i) => i.steps === 9 && i.nbEpoch === 200)).toBe(true)
    expect(infos.at(-1)!.winCount).toBe(history.winCount)
    const early = history.wins.slice(0, 50).filter(Boolean).length
    const late = history.wins.slice(-50).filter(Boolean).length
    expect(late).toBeGreaterThan(early + 10)
    const accuracy = await agent.play(new Catch(1000), { nbEpoch: 100 })
    expect(accuracy).toBeGreaterThanOrEqual(0.9)
    expect(formatEpoch(infos[9])).toMatch(/^Epoch 010\/200 \| Loss \d+\.\d{4} \| Epsilon 0\.9\d \| Win count \d+$/)
    model.dispose()
  })

  it('the README model (SGD lr 0.2, batch 50): no training until the memory holds a batch, then at every step', async () => {
    const model = catchModel(1, 100, tf.train.sgd(0.2))
    const history = await new Agent({ model }).train(new Catch(1), { nbEpoch: 12, seed: 1 })
    // Memory reaches a batch of 50 after 6 epochs; from then on every epoch trains 9 times.
    expect(history.loss.slice(0, 5).every((l) => l === 0)).toBe(true)
    expect(history.loss.slice(6).every((l) => l > 0 && Number.isFinite(l))).toBe(true)
    model.dispose()
  })

  it('is deterministic: same seeds → same history, same weights; another seed differs', async () => {
    const run = async (seed: number) => {
      const model = catchModel(5)
      const h = await new Agent({ model }).train(new Catch(5), { nbEpoch: 15, batchSize: 8, seed })
      const w = weightsOf(model)
      model.dispose()
      return { h, w }
    }
    const a = await run(1)
    const b = await run(1)
    expect(b.h).toEqual(a.h)
    expect(b.w).toEqual(a.w)
    const c = await run(2)
    expect(c.w).not.toEqual(a.w)
  })
})

describe('Agent.train semantics', () => {
  it('fits on targets = Q(S) with the taken action’s entry r + γ·max Q(S′) (r alone at game over), batches without repeats', async () => {
    const model = catchModel(3)
    const agent = new Agent({ model, memorySize: 100 })
    const game = new Recorder(new Catch(3))
    const gamma = 0.7
    const batchSize = 6
    const original = model.trainOnBatch.bind(model)
    let checked = 0
    let overRows = 0
    model.trainOnBatch = async (x, y) => {
      const xs = (x as tf.Tensor).arraySync() as number[][][][]
      const ys = (y as tf.Tensor).arraySync() as number[][]
      expect(xs).toHaveLength(batchSize)
      expect(new Set(xs.map((s) => JSON.stringify(s))).size).toBeGreaterThan(1)
      for (let i = 0; i < batchSize; i++) {
        const s = xs[i].flat(2)
        const q = await agent.qValues(Float32Array.from(s))
        // Some remembered transition from this state explains the row exactly.
        let explains = false
        for (const t of game.transitions) {
          if (t.s.some((v, k) => v !== s[k])) continue
          const q2 = await agent.qValues(Float32Array.from(t.s2))
          const target = t.over ? t.r : t.r + gamma * Math.max(...q2)
          if (ys[i].every((v, k) => Math.abs(v - (k === t.a ? target : q[k])) < 1e-5)) {
            explains = true
            break
          }
        }
        expect(explains, `row ${i}`).toBe(true)
        if (game.transitions.some((t) => t.over && t.s.every((v, k) => v === s[k]))) overRows++
        checked++
      }
      return original(x, y)
    }
    await agent.train(game, { nbEpoch: 4, batchSize, gamma, seed: 3 })
    // 4 epochs × 9 steps, trained from the 6th transition on.
    expect(checked).toBe((36 - batchSize + 1) * batchSize)
    expect(overRows).toBeGreaterThan(0)
    model.dispose()
  })

  it('epsilon as a number stays constant; as [start, end] falls linearly over epsilonRate × nbEpoch epochs', async () => {
    const model = catchModel(4)
    const agent = new Agent({ model })
    const eps = async (o: Parameters<Agent['train']>[1]) => {
      const seen: number[] = []
      await agent.train(new Catch(4), { batchSize: 2000, ...o, onEpoch: (i) => seen.push(i.epsilon) })
      return seen
    }
    expect(await eps({ nbEpoch: 5, epsilon: 0.3 })).toEqual([0.3, 0.3, 0.3, 0.3, 0.3])
    const fall = await eps({ nbEpoch: 10, epsilon: [1, 0.1], epsilonRate: 0.5 })
    const want = [1, 0.82, 0.64, 0.46, 0.28, 0.1, 0.1, 0.1, 0.1, 0.1]
    fall.forEach((e, k) => expect(e).toBeCloseTo(want[k], 10))
    // Defaults: [1, 0.1] over half the epochs.
    const dflt = await eps({ nbEpoch: 4 })
    dflt.forEach((e, k) => expect(e).toBeCloseTo([1, 0.55, 0.1, 0.1][k], 10))
    // observe: random play first; ε starts falling after it.
    const observed = await eps({ nbEpoch: 8, epsilon: [0.5, 0.1], epsilonRate: 0.5, observe: 2 })
    observed.forEach((e, k) => expect(e).toBeCloseTo([1, 1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1][k], 10))
    model.dispose()
  })

  it('ε = 0 plays argmax Q; ε = 1 plays uniformly at random', async () => {
    const model = catchModel(6)
    const agent = new Agent({ model })
    // batchSize > transitions: nothing trains, so the Q-function stays put.
    const greedy = new Recorder(new Catch(6))
    await agent.train(greedy, { nbEpoch: 20, epsilon: 0, batchSize: 2000 })
    for (const t of greedy.transitions) {
      const q = await agent.qValues(Float32Array.from(t.s))
      expect(t.a).toBe(q.indexOf(Math.max(...q)))
    }
    const random = new Recorder(new Catch(6))
    await agent.train(random, { nbEpoch: 100, epsilon: 1, batchSize: 2000 })
    const counts = [0, 0, 0]
    for (const t of random.transitions) counts[t.a]++
    for (const c of counts) expect(c / random.transitions.length).toBeGreaterThan(0.28)
    model.dispose()
  })

  it('resetMemory empties the memory after every epoch, and training still runs (qlearning4k’s own version crashes)', async () => {
    const model = catchModel(7)
    const agent = new Agent({ model, memorySize: 100 })
    const sizes: number[] = []
    const before = weightsOf(model)
    const h = await agent.train(new Catch(7), { nbEpoch: 6, batchSize: 4, resetMemory: true, seed: 7, onEpoch: () => sizes.push(agent.memory.size) })
    expect(sizes).toEqual([0, 0, 0, 0, 0, 0])
    // Each 9-step epoch trains from its 4th step on: 6 batches per epoch.
    expect(h.loss.every((l) => l > 0)).toBe(true)
    expect(weightsOf(model)).not.toEqual(before)
    // Without it the memory keeps growing (to memorySize).
    const sizes2: number[] = []
    await agent.train(new Catch(7), { nbEpoch: 13, batchSize: 4, onEpoch: () => sizes2.push(agent.memory.size) })
    expect(sizes2).toEqual([9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 99, 100, 100])
    model.dispose()
  })

  it('observe: no training during the first epochs', async () => {
    const model = catchModel(8)
    const h = await new Agent({ model }).train(new Catch(8), { nbEpoch: 6, batchSize: 4, observe: 3 })
    expect(h.loss.slice(0, 3)).toEqual([0, 0, 0])
    expect(h.loss.slice(3).every((l) => l > 0)).toBe(true)
    model.dispose()
  })

  it('calls the checkpoint every N epochs (after observe) and after the last; saveModelFolder writes a loadable model', async () => {
    const model = catchModel(9)
    const agent = new Agent({ model })
    const calls: number[] = []
    await agent.train(new Catch(9), { nbEpoch: 10, batchSize: 2000, checkpoint: { every: 3, save: async (e, m) => void calls.push(e, m === model ? 1 : 0) } })
    expect(calls).toEqual([3, 1, 6, 1, 9, 1, 10, 1])
    calls.length = 0
    await agent.train(new Catch(9), { nbEpoch: 10, batchSize: 2000, observe: 2, checkpoint: { every: 3, save: (e) => void calls.push(e) } })
    expect(calls).toEqual([5, 8, 10])

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q4k-'))
    try {
      await agent.train(new Catch(9), { nbEpoch: 2, batchSize: 4, checkpoint: { every: 1, save: saveModelFolder(dir) } })
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))
      const bin = fs.readFileSync(path.join(dir, 'weights.bin'))
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }),
      )
      expect(weightsOf(loaded)).toEqual(weightsOf(model))
      loaded.dispose()
      // A number saves to ./qlearning4k-weights, as qlearning4k saves weights.dat in the working directory.
      const cwd = process.cwd()
      process.chdir(dir)
      try {
        await agent.train(new Catch(9), { nbEpoch: 2, batchSize: 2000, checkpoint: 1 })
      } finally {
        process.chdir(cwd)
      }
      expect(fs.existsSync(path.join(dir, 'qlearning4k-weights', 'model.json'))).toBe(true)
      expect(fs.existsSync(path.join(dir, 'qlearning4k-weights', 'weights.bin'))).toBe(true)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    model.dispose()
  })

  it('stacks nbFrames frames, oldest first, the first frame repeated at the start of a game', async () => {
    const model = tf.sequential()
    model.add(tf.layers.flatten({ inputShape: [3, 10, 10] }))
    model.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }))
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' })
    const agent = new Agent({ model, nbFrames: 3 })
    const frames: number[][] = []
    const states: number[][] = []
    const game = new Catch(2)
    const spy: Game = {
      name: 'spy',
      nbActions: 3,
      reset: () => {
        game.reset()
        frames.length = 0
        frames.push(Array.from(game.getState()))
      },
      play: (a) => {
        game.play(a)
        frames.push(Array.from(game.getState()))
      },
      getState: () => game.getState(),
      getScore: () => game.getScore(),
      isOver: () => game.isOver(),
      isWon: () => game.isWon(),
    }
    const qValues = agent.qValues.bind(agent)
    agent.qValues = (s) => (states.push(Array.from(s)), qValues(s))
    await agent.play(spy, { nbEpoch: 1 })
    expect(states).toHaveLength(9)
    states.forEach((s, t) => {
      const want = [t - 2, t - 1, t].flatMap((k) => frames[Math.max(0, k)])
      expect(s).toEqual(want)
    })
    model.dispose()
  })

  it('rejects a model that does not fit the game, and bad options', async () => {
    const wrongOut = tf.sequential()
    wrongOut.add(tf.layers.dense({ units: 4, inputShape: [100] }))
    await expect(new Agent({ model: wrongOut }).train(new Catch(), { nbEpoch: 1 })).rejects.toThrow(/4 outputs; Catch has 3 actions/)
    const wrongIn = tf.sequential()
    wrongIn.add(tf.layers.dense({ units: 3, inputShape: [100] }))
    await expect(new Agent({ model: wrongIn, nbFrames: 2 }).train(new Catch(), { nbEpoch: 1 })).rejects.toThrow(/takes \[100\] = 100 inputs.*nbFrames 2 = 200/)
    await expect(new Agent({ model: wrongIn }).play(new Snake())).rejects.toThrow(/3 outputs; Snake has 5 actions/)
    expect(() => new Agent({ model: wrongIn, memorySize: 0 })).toThrow(/memorySize/)
    expect(() => new Agent({ model: wrongIn, nbFrames: 0 })).toThrow(/nbFrames/)
    const agent = new Agent({ model: wrongIn })
    await expect(agent.train(new Catch(), { batchSize: 0 })).rejects.toThrow(/batchSize/)
    await expect(agent.train(new Catch(), { epsilon: [1, 1.5] })).rejects.toThrow(/epsilon/)
    await expect(agent.train(new Catch(), { checkpoint: { every: 0, save: () => {} } })).rejects.toThrow(/checkpoint/)
    wrongOut.dispose()
    wrongIn.dispose()
  })

  it('play: ε-greedy win fraction over nbEpoch games, restricted to possibleActions when the game has them', async () => {
    const model = corridorModel(3)
    const agent = new Agent({ model })
    // Only "right" allowed: the agent walks right every time, so it wins exactly the games whose exit is on the right.
    const onlyRight = Object.assign(new Corridor(4), { possibleActions: () => [1] })
    const probe = new Corridor(4)
    let rightExits = 0
    for (let g = 0; g < 20; g++) {
      probe.reset()
      if (probe.getState()[7 + 6] === 1) rightExits++
    }
    expect(await agent.play(onlyRight, { nbEpoch: 20 })).toBe(rightExits / 20)
    model.dispose()
  })
})

describe('Game ⇄ Env adapters', () => {
  it('Catch and Snake are Games over the app’s envs (names, actions, frame shape, scores)', () => {
    const c = new Catch(1)
    expect([c.name, c.nbActions, c.frameShape]).toEqual(['Catch', 3, [10, 10]])
    const s = new Snake(1, { maxSteps: 5 })
    expect([s.name, s.nbActions, s.frameShape]).toEqual(['Snake', 5, [10, 10]])
    expect(() => c.play(0)).toThrow(/reset/)
    c.reset()
    expect(Array.from(c.getState())).toEqual(Array.from(new CatchEnv(1).reset().obs))
    let r
    do {
      c.play(1)
      r = c.getScore()
    } while (!c.isOver())
    expect(r === 1 || r === -1).toBe(true)
    expect(c.isWon()).toBe(r === 1)
    expect(() => c.play(1)).toThrow(/over/)
    s.reset()
    for (let k = 0; k < 5 && !s.isOver(); k++) s.play(2)
    expect(s.isOver()).toBe(true) // died on the top wall or truncated at 5 steps
    expect(() => s.play(7)).toThrow()
    const fresh = new Snake(2)
    fresh.reset()
    expect(() => fresh.play(7)).toThrow(/invalid action/)
  })

  it('envFromGame(gameFromEnv(env)) behaves exactly like env, seeds included (Catch and Snake)', () => {
    // A Game has no notion of truncation (isOver is all it says), so the outer Env truncates.
    const pairs: [Env, Env][] = [
      [new CatchEnv(), envFromGame(gameFromEnv(new CatchEnv()))],
      [new SnakeEnv(0, { maxSteps: 30 }), envFromGame(gameFromEnv(new SnakeEnv(0, { maxSteps: 10_000 })), { maxSteps: 30 })],
    ]
    for (const [env, round] of pairs) {
      expect(round.observationSpace).toEqual({ ...env.observationSpace })
      expect(round.actionSpace.n).toBe(env.actionSpace.n)
      const acts = new Rng(1)
      for (let ep = 0; ep < 40; ep++) {
        const seed = ep % 3 === 0 ? undefined : 100 + ep
        expect(Array.from(round.reset(seed).obs)).toEqual(Array.from(env.reset(seed).obs))
        for (;;) {
          const a = acts.int(0, env.actionSpace.n)
          const x = env.step(a)
          const y = round.step(a)
          expect([y.reward, y.terminated, y.truncated]).toEqual([x.reward, x.terminated, x.truncated])
          expect(Array.from(y.obs)).toEqual(Array.from(x.obs))
          if (x.terminated || x.truncated) break
        }
        expect(round.isWon()).toBe(env.isWon())
        expect(() => round.step(0)).toThrow(/reset/)
      }
    }
  })

  it('envFromGame: a user’s Game becomes an Env — spaces, labels, truncation, invalid actions, renderState', () => {
    const env = envFromGame(new Corridor(1), { labels: ['left', 'right'], maxSteps: 3 })
    expect(env.id).toBe('Corridor')
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [2, 7], low: 0, high: 1 })
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 2, labels: ['left', 'right'] })
    const { obs } = env.reset(5)
    expect(obs[3]).toBe(1)
    expect(() => env.step(2)).toThrow(/invalid action/)
    env.step(0)
    env.step(1)
    const r = env.step(0) // back at 2 after three steps: neither end, so truncated
    expect([r.terminated, r.truncated]).toEqual([false, true])
    expect(env.renderState()).toEqual({ frame: Array.from(r.obs), score: 0, over: false })
    expect(() => env.step(0)).toThrow(/reset/)
    // No frameShape: the frame length it is, after one reset to find out.
    const flat = envFromGame({ ...gameLike(new Corridor()), frameShape: undefined })
    expect(flat.observationSpace.shape).toEqual([14])
    expect(flat.actionSpace.labels).toEqual(['0', '1'])
    // reset(seed) reseeds the game: same seed, same exits.
    const exits = (seed: number) => Array.from({ length: 10 }, (_, k) => env.reset(k === 0 ? seed : undefined).obs[13])
    expect(exits(7)).toEqual(exits(7))
    expect(exits(7)).not.toEqual(exits(8))
  })

  it('the app’s DQN and greedy player run on envFromGame(a custom Game)', async () => {
    const env = envFromGame(new Corridor(), { labels: ['left', 'right'] })
    const dqn = Dqn.fromValues(env, { ...defaultParams('catch', 'dqn'), hidden: [16], batch_size: 8, learning_starts: 8 }, 1)
    let episodes = 0
    for await (const ep of dqn.train(30)) {
      episodes++
      expect(ep.length).toBeGreaterThan(0)
      expect(ep.length).toBeLessThanOrEqual(10)
    }
    expect(episodes).toBe(30)
    const played = await playGreedy(dqn, env, 1, 5, 3)
    expect(played.episodes).toHaveLength(5)
    dqn.dispose()
  })
})

/** A Game as a plain object (spreads don't copy class methods). */
function gameLike(g: Corridor): Game {
  return {
    name: g.name,
    nbActions: g.nbActions,
    frameShape: g.frameShape,
    reset: () => g.reset(),
    play: (a) => g.play(a),
    getState: () => g.getState(),
    getScore: () => g.getScore(),
    isOver: () => g.isOver(),
    isWon: () => g.isWon(),
    seed: (s) => g.seed(s),
  }
}

describe('ExperienceReplay', () => {
  const put = (m: ExperienceReplay, id: number) => m.remember(new Float32Array([id, id]), id % 3, id * 10, new Float32Array([-id, -id]), id % 2 === 1)

  it('samples distinct transitions with their fields together; keeps the newest memorySize; −1 keeps all', () => {
    const m = new ExperienceReplay(50, 2)
    for (let id = 0; id < 120; id++) put(m, id)
    expect(m.size).toBe(50)
    const rng = new Rng(1)
    const b = ExperienceReplay.allocBatch(50, 2)
    m.sample(50, rng, b)
    const ids = Array.from({ length: 50 }, (_, i) => b.states[2 * i])
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, k) => 70 + k))
    ids.forEach((id, i) => {
      expect(b.states[2 * (50 + i)]).toBe(-id) // S′ in the second half
      expect([b.actions[i], b.rewards[i], b.gameOvers[i]]).toEqual([id % 3, id * 10, id % 2])
    })
    // Small batches: distinct rows, and over many draws every slot comes up about equally.
    const counts = new Map<number, number>()
    const small = ExperienceReplay.allocBatch(5, 2)
    for (let k = 0; k < 2000; k++) {
      m.sample(5, rng, small)
      const got = Array.from({ length: 5 }, (_, i) => small.states[2 * i])
      expect(new Set(got).size).toBe(5)
      for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    expect(counts.size).toBe(50)
    for (const c of counts.values()) expect(Math.abs(c - 200)).toBeLessThan(70)
    expect(() => m.sample(51, rng, ExperienceReplay.allocBatch(51, 2))).toThrow()

    const all = new ExperienceReplay(-1, 2)
    for (let id = 0; id < 1000; id++) put(all, id)
    expect(all.size).toBe(1000)
    const big = ExperienceReplay.allocBatch(1000, 2)
    all.sample(1000, rng, big)
    expect(new Set(Array.from({ length: 1000 }, (_, i) => big.states[2 * i])).size).toBe(1000)
    all.reset()
    expect(all.size).toBe(0)
    put(all, 5)
    all.sample(1, rng, ExperienceReplay.allocBatch(1, 2))
  })
})

describe('examples/custom-game.ts', () => {
  it('runs (its main, small budget) and learns the corridor', async () => {
    const lines: string[] = []
    const result = await customGameMain({ epochs: 60, seed: 0, log: (s: string) => lines.push(s) })
    expect(lines.some((l) => /^Accuracy \d+ %$/.test(l))).toBe(true)
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(result.appWinFraction).toBeGreaterThanOrEqual(0.9)
  })
})
