/**
 * The two-headed DQN (src/core/agents/two-head-dqn.ts): its class head learns
 * the true labels with class-weighted cross-entropy, its movement loss touches
 * only the move taken, greedy play gives a (move, class) action, and a
 * snapshot resumes exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src/main/trainer/backend'
import { TwoHeadDqn } from '../../src/core/agents/two-head-dqn'
import { defaultParams, getAlgo, getWorld, makeEnv } from '../../src/core/catalog'
import { memoryEvents, type DetectorEvent } from '../../src/core/lartpc/event'
import { playGreedy } from '../../src/core/agents/play'
import { dqnAlgo } from '../../src/core/agents/dqn-params'
import type { ReplayMemory } from '../../src/core/agents/replay-memory'

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

/**
 * Events where the class shows in the energy: a track of 1 MeV pixels along
 * a row, and a 5-wide shower blob of 6 MeV pixels.
 */
function easyEvents(n: number): DetectorEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const size = 24
    const energy = new Float32Array(size * size)
    const label = new Uint8Array(size * size)
    const row = 5 + (k % 10)
    for (let c = 3; c < 21; c++) {
      energy[row * size + c] = 1
      label[row * size + c] = 2
    }
    const br = row < 12 ? 17 : 5
    for (let r = br - 2; r <= br + 2; r++) {
      for (let c = 8; c <= 12; c++) {
        energy[r * size + c] = 6
        label[r * size + c] = 1
      }
    }
    return { width: size, height: size, energy, label }
  })
}

const small = { trials: 4, max_steps: 8 }
const fast = { hidden_move: [16], hidden_class: [32], batch_size: 32, memory_size: 2000, learning_starts: 64, train_every: 2, lr: 3e-3, epsilon_decay: 0.99 }

function agentOn(events: DetectorEvent[], over: Record<string, unknown> = {}, seed = 1): { agent: TwoHeadDqn; env: ReturnType<typeof makeEnv> } {
  const env = makeEnv('lartpc', small, 0, { events: memoryEvents(events) })
  const agent = TwoHeadDqn.fromValues(env, { ...defaultParams('lartpc', 'two-head-dqn'), ...fast, ...over } as never, seed)
  return { agent, env }
}

/** The agent's private replay memory and learning step (what these tests check directly). */
interface Internals {
  memory: ReplayMemory
  learn(): { move: number; cls: number; accuracy: number }
}

describe('two-headed DQN', () => {
  it('is offered for tuple worlds with labels; DQN keeps refusing them', () => {
    const world = getWorld('lartpc')
    expect(getAlgo('two-head-dqn').supports(world)).toBeNull()
    expect(getAlgo('two-head-dqn-seed').supports(world)).toBeNull()
    expect(dqnAlgo.supports(world)).toMatch(/one discrete action/)
    expect(getAlgo('two-head-dqn').supports(getWorld('catch'))).toMatch(/tuple action/)
    expect(getAlgo('two-head-dqn').supports({ ...world, spaces: { observation: 'box', action: 'tuple' } })).toMatch(/true labels/)
    expect(defaultParams('lartpc', 'two-head-dqn-seed')).toMatchObject({ gamma: 0.4, batch_size: 512, memory_size: 4000, tau: 0.225, epsilon_decay: 0.99987, epsilon_min: 0.3 })
    expect(defaultParams('lartpc', 'two-head-dqn')).toMatchObject({ class_weight_blank: 1, class_weight_shower: 3.98, class_weight_track: 6.79 })
  })

  it('learns the class head from the true labels, and plays greedy (move, class) actions', async () => {
    const events = easyEvents(6)
    const { agent, env } = agentOn(events)
    for await (const _ of agent.train(25)) {
      // train
    }
    // On the held-out event, the class written is the truth on (nearly) every pixel it visits.
    const world = getWorld('lartpc')
    const params = { ...Object.fromEntries(world.params.map((p) => [p.key, p.default])), ...small }
    const ev = await world.evaluate!(params, { events: memoryEvents(events) }, (o) => agent.greedyAction(o))
    expect(ev.metrics.pixel_accuracy).toBeGreaterThan(0.95)
    expect(ev.results).toMatchObject({ kind: 'lartpc', events: 1, classes: ['blank', 'EM shower', 'track'] })
    // Greedy play records (move, class) per step and 8 + 3 outputs per step.
    const played = (await playGreedy(agent, env, 1, 1, 3)).episodes[0]
    expect(played.actions.length).toBe(2 * played.length)
    expect(played.outputs.length).toBe(11 * played.length)
    for (let k = 0; k < played.length; k++) {
      const probs = played.outputs.slice(k * 11 + 8, k * 11 + 11)
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
      expect(played.actions[2 * k + 1]).toBe(probs.indexOf(Math.max(...probs)))
    }
    agent.dispose()
  })

  it('weights the class cross-entropy per class: a class of weight 0 adds nothing', async () => {
    const { agent } = agentOn(easyEvents(2), { class_weight_blank: 1, class_weight_shower: 0, class_weight_track: 0, batch_size: 16 })
    const internals = agent as unknown as Internals
    const state = new Float32Array(100)
    state[12] = Math.log1p(1)
    // The same state labelled blank and labelled track (move 3 and 5); only the blank ones count.
    internals.memory.push(state, 3 + 8 * 0, 1, state, true)
    internals.memory.push(state, 5 + 8 * 2, 1, state, true)
    const probs = await agent.outputs(Float32Array.from(state, (v, i) => (i < 25 ? Math.expm1(v) : v)))
    const loss = await internals.learn()
    expect(loss.cls).toBeCloseTo(-Math.log(probs[8 + 0]), 4)
    agent.dispose()
  })

  it('the movement loss changes only the Q-value of the move taken (its output weights)', () => {
    const { agent } = agentOn(easyEvents(2), { batch_size: 8 })
    const internals = agent as unknown as Internals
    const state = new Float32Array(100).fill(0.5)
    for (let i = 0; i < 4; i++) internals.memory.push(state, 6 + 8 * 2, 10, state, true)
    const before = agent.model.getLayer('move_q').getWeights().map((w) => Array.from(w.dataSync()))
    internals.learn()
    const after = agent.model.getLayer('move_q').getWeights().map((w) => Array.from(w.dataSync()))
    // Kernel [16 × 8]: only column 6 moves; bias: only entry 6.
    for (let i = 0; i < before[0].length; i++) {
      if (i % 8 === 6) continue
      expect(after[0][i]).toBe(before[0][i])
    }
    expect(after[0].filter((v, i) => i % 8 === 6 && v !== before[0][i]).length).toBeGreaterThan(0)
    after[1].forEach((v, j) => (j === 6 ? expect(v).not.toBe(before[1][j]) : expect(v).toBe(before[1][j])))
    agent.dispose()
  })

  it('N episodes, snapshot, restore, N more equals 2N straight', async () => {
    const events = easyEvents(4)
    const collect = async (agent: TwoHeadDqn, n: number): Promise<unknown[]> => {
      const out: unknown[] = []
      for await (const ep of agent.train(n, (e) => e % 2 === 0)) out.push([ep.return, ep.actions, ep.outputs, ep.metrics])
      return out
    }
    const straight = agentOn(events, {}, 9)
    const all = await collect(straight.agent, 6)
    const first = agentOn(events, {}, 9)
    const a = await collect(first.agent, 3)
    const snap = await first.agent.snapshot()
    first.agent.dispose()
    const restored = await TwoHeadDqn.restore(makeEnv('lartpc', small, 0, { events: memoryEvents(events) }), snap)
    const b = await collect(restored, 3)
    expect(JSON.stringify([...a, ...b])).toBe(JSON.stringify(all))
    const w1 = (await straight.agent.artifacts()).weightData as ArrayBuffer
    const w2 = (await restored.artifacts()).weightData as ArrayBuffer
    expect(Buffer.from(w2).equals(Buffer.from(w1))).toBe(true)
    straight.agent.dispose()
    restored.dispose()
  })

  it('loads exported weights for Play', async () => {
    const { agent } = agentOn(easyEvents(2))
    for await (const _ of agent.train(2)) {
      // a little training so the weights differ from a fresh agent's
    }
    const other = agentOn(easyEvents(2), {}, 5).agent
    other.loadWeights(await agent.artifacts())
    const obs = new Float32Array(100).fill(0.3)
    expect(Array.from(await other.outputs(obs))).toEqual(Array.from(await agent.outputs(obs)))
    agent.dispose()
    other.dispose()
  })
})

describe('two-headed DQN with the seed’s CatLt classifier (pretrained, then frozen)', () => {
  const catlt = { classifier: 'catlt', pretrain_windows: 1536, pretrain_epochs: 12, class_weight_shower: 1, class_weight_track: 1 }

  it('pretrains CatLt on labelled windows, then keeps it frozen while the moves learn; resumes exactly', async () => {
    const events = easyEvents(6)
    const { agent } = agentOn(events, catlt)
    const ep = (await agent.train(1).next()).value!
    expect(ep.metrics.class_accuracy).toBeGreaterThan(0.9)
    expect(Number.isNaN(ep.metrics.class_loss)).toBe(true)
    const frozen = agent.model.getLayer('catlt_0').getWeights()[0].dataSync().slice()
    const moveBefore = agent.model.getLayer('move_q').getWeights()[0].dataSync().slice()
    for await (const _ of agent.train(3)) {
      // the moves learn
    }
    expect(Array.from(agent.model.getLayer('catlt_0').getWeights()[0].dataSync())).toEqual(Array.from(frozen))
    expect(Array.from(agent.model.getLayer('move_q').getWeights()[0].dataSync())).not.toEqual(Array.from(moveBefore))
    // The frozen classifier separates the easy classes on the events it walks.
    const world = getWorld('lartpc')
    const params = { ...Object.fromEntries(world.params.map((p) => [p.key, p.default])), ...small }
    expect((await world.evaluate!(params, { events: memoryEvents(events) }, (o) => agent.greedyAction(o))).metrics.pixel_accuracy).toBeGreaterThan(0.9)

    const snap = await agent.snapshot()
    const restored = await TwoHeadDqn.restore(makeEnv('lartpc', small, 0, { events: memoryEvents(events) }), snap)
    const a = (await agent.train(1).next()).value!
    const b = (await restored.train(1).next()).value!
    expect([b.return, b.actions, b.metrics]).toEqual([a.return, a.actions, a.metrics])
    agent.dispose()
    restored.dispose()
  })
})
