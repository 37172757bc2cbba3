/**
 * PPO on the small maze with its defaults: env steps/s through the vector
 * rollout (8 copies, one batched forward pass per step, updates included: what
 * a run's throughput is) and gradient steps/s over the same time; and the same
 * with one copy, to show what stepping copies together buys.
 */
import { defaultParams, makeEnv } from '../src/core/catalog'
import { median, now, round, type BenchResult } from './util'

const SMALL = { preset: 'small' }

async function ppoTraining(): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { Ppo } = await import('../src/core/agents/ppo')
  const backend = await selectBackend('auto')
  const make = () => makeEnv('maze-v1', SMALL)
  /** Env steps/s, grad steps/s and updates/s while training `games` games (after a warm-up of 2). */
  const measure = async (numEnvs: number, games: number) => {
    const params = { ...defaultParams('maze-v1', 'ppo'), num_envs: numEnvs } as never as import('../src/core/agents/ppo').PpoParams
    const agent = new Ppo(make(), params, 0, make)
    for await (const _ of agent.train(2));
    const [env0, grad0, upd0, t0] = [agent.envSteps, agent.gradSteps, agent.updates, now()]
    for await (const _ of agent.train(games));
    const s = (now() - t0) / 1000
    const out = { env: (agent.envSteps - env0) / s, grad: (agent.gradSteps - grad0) / s, updates: (agent.updates - upd0) / s }
    agent.dispose()
    return out
  }
  const runs = [await measure(8, 16), await measure(8, 16), await measure(8, 16)]
  const single = [await measure(1, 4), await measure(1, 4), await measure(1, 4)]
  const env = median(runs.map((r) => r.env))
  const p = defaultParams('maze-v1', 'ppo')
  return {
    value: round(env),
    unit: 'env-steps/s',
    median: round(env),
    runs: runs.map((r) => round(r.env)),
    grad_steps_per_s: round(median(runs.map((r) => r.grad))),
    updates_per_s: round(median(runs.map((r) => r.updates))),
    one_copy_env_steps_per_s: round(median(single.map((r) => r.env))),
    num_envs: p.num_envs,
    num_steps: p.num_steps,
    minibatch: ((p.num_envs as number) * (p.num_steps as number)) / (p.num_minibatches as number),
    network: `${p.network} ${(p.hidden as number[]).join('×')}`,
    backend,
  }
}

export const ppoBenches: Record<string, () => Promise<BenchResult>> = {
  maze_ppo_env_steps_per_s: ppoTraining,
}
