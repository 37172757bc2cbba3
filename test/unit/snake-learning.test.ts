/**
 * Snake learns visibly with the defaults a new run gets (snake-v2: the conv DQN on
 * the shaped reward), measured by a budget of env steps, not time: greedy games
 * against a random policy's on the same 200 starts.
 */
import { beforeAll, expect, it } from 'vitest'
import { selectBackend } from '../../src/main/trainer/backend'
import { Dqn } from '../../src/core/agents/dqn'
import { playGreedy, type PlayResult } from '../../src/core/agents/play'
import { defaultParams, effectiveEnvParams, getWorld, makeEnv, resolveWorldId } from '../../src/core/catalog'
import { Rng } from '../../src/core/rng'
import { QLEARNING4K_SNAKE_DQN } from '../../src/core/snake/world'

beforeAll(async () => {
  await selectBackend('wasm')
})

const GAMES = 200
const SNAKE = resolveWorldId('snake')!
const meanLength = (r: PlayResult): number => r.episodes.reduce((s, e) => s + e.stats.length, 0) / r.episodes.length

it('new Snake runs get the shaped reward and the small conv DQN; qlearning4k’s settings and reward stay one choice away', () => {
  expect(SNAKE).toBe('snake-v2')
  expect(effectiveEnvParams(SNAKE, 'dqn', {})).toEqual({ max_steps: 200, reward: 'shaped' })
  expect(defaultParams(SNAKE, 'dqn')).toMatchObject({ network: 'conv', conv_filters: [16, 16], hidden: [64], nb_frames: 2, optimizer: 'adam' })
  expect(effectiveEnvParams(SNAKE, 'dqn-qlearning4k', {})).toEqual({ max_steps: 200, reward: 'qlearning4k' })
  expect(defaultParams(SNAKE, 'dqn-qlearning4k')).toMatchObject(QLEARNING4K_SNAKE_DQN)
  // Runs recorded as snake-v1 keep the seed's reward: its env has no shaping setting.
  expect(getWorld('snake-v1').params.map((p) => p.key)).toEqual(['max_steps'])
})

it('the default DQN beats a random policy clearly after 7 500 env steps (seed 1)', async () => {
  const envParams = effectiveEnvParams(SNAKE, 'dqn', {})
  const params = defaultParams(SNAKE, 'dqn')
  const rng = new Rng(5)
  const random = await playGreedy({ greedyAction: () => rng.int(0, 5) }, makeEnv(SNAKE, envParams), 1, GAMES, 77)
  expect(meanLength(random)).toBeLessThan(3.2)
  // One seed: on this 2-core machine each costs ~1–2 minutes (docs/benchmarks.md has seeds 1–3 over longer budgets).
  for (const seed of [1]) {
    const dqn = Dqn.fromValues(makeEnv(SNAKE, envParams, seed), params, seed)
    for await (const ep of dqn.train(Number.MAX_SAFE_INTEGER)) if (ep.envSteps >= 7500) break
    const trained = await playGreedy(dqn, makeEnv(SNAKE, envParams), Number(params.nb_frames), GAMES, 77)
    dqn.dispose()
    expect(meanLength(trained), `seed ${seed}`).toBeGreaterThan(meanLength(random) + 0.5)
    expect(trained.winFraction, `seed ${seed}`).toBeGreaterThan(2 * random.winFraction)
  }
}, 600_000)
