/**
 * Maze algorithm benchmarks: gradient steps/s of the seed's Double DQN CNN
 * (Conv 16 8×8/4, 32 4×4/2, 64 3×3/1, Dense 256; Huber, clip 1, RMSprop) on
 * batches of 64 real maze frames (the full maze at 84×93, 4 stacked), and of
 * Split-Q, which steps two such networks; PPO's in ppo.ts.
 */
import { defaultParams, effectiveEnvParams, makeEnv } from '../src/core/catalog'
import { Rng } from '../src/core/rng'
import { median, now, round, type BenchResult } from './util'
import { ppoBenches } from './ppo'

/** Gradient steps/s of one network (the seed preset) or both of Split-Q's, on real frames from random play. */
async function seedCnnSteps(streams: 1 | 2): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { QNetwork } = await import('../src/core/agents/dqn')
  const { ReplayMemory } = await import('../src/core/agents/replay-memory')
  const backend = await selectBackend('auto')
  const params = defaultParams('maze-v1', 'ddqn-seed') as never as import('../src/core/agents/dqn').DqnParams
  const env = makeEnv('maze-v1', effectiveEnvParams('maze-v1', 'ddqn-seed', {}))
  const stateSize = env.observationSpace.shape.reduce((a, b) => a * b, 1)
  const memory = new ReplayMemory(256, stateSize)
  const rng = new Rng(0)
  let state = env.reset(0).obs.slice()
  for (let i = 0; i < 256; i++) {
    const a = rng.int(0, 9)
    const r = env.step(a)
    memory.push(state, a, r.reward, r.obs, r.terminated)
    state = r.terminated || r.truncated ? env.reset(i).obs.slice() : r.obs.slice()
  }
  const nets = Array.from({ length: streams }, (_, k) => new QNetwork(params, env, k))
  const batch = ReplayMemory.allocBatch(params.batch_size, stateSize)
  let step = 0
  const run = (n: number): number => {
    const t0 = now()
    for (let i = 0; i < n; i++) {
      memory.sample(params.batch_size, rng, batch)
      step++
      for (const net of nets) net.learn(batch, params.gamma, step)
    }
    return n / ((now() - t0) / 1000)
  }
  run(2)
  const runs = [run(8), run(8), run(8)]
  nets.forEach((n) => n.dispose())
  return { value: round(median(runs)), unit: 'grad-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), backend, batch_size: params.batch_size, frames: env.observationSpace.shape.join('×'), networks: streams }
}

export const mazeAlgoBenches: Record<string, () => Promise<BenchResult>> = {
  maze_seed_cnn_grad_steps_per_s: () => seedCnnSteps(1),
  maze_split_q_grad_steps_per_s: () => seedCnnSteps(2),
  ...ppoBenches,
}
