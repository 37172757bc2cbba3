/**
 * Proximal policy optimisation, read top to bottom (after CleanRL's ppo.py, and
 * rl-dash-days' PPO for the joystick policy).
 *
 *   1. rollout   N copies of the world step together for `num_steps` steps, one
 *                batched forward pass per step: the policy samples each copy's
 *                action, the value network values its state. A copy whose game
 *                ends starts the next game at once.
 *   2. GAE(λ)    advantages A_t = δ_t + γλ·A_{t+1} (δ_t = r_t + γ·V(s_{t+1}) − V(s_t),
 *                cut where a game ended); returns A + V are the value targets.
 *   3. update    `update_epochs` passes over the shuffled rollout in
 *                `num_minibatches` gradient steps of Adam on
 *                  −min(ρ·Â, clip(ρ, 1 − ε, 1 + ε)·Â) − c_ent·H(π) + c_v·½(V − R)²
 *                (ρ = π(a|s) / π_old(a|s), Â the minibatch-normalised advantage),
 *                gradients clipped to a global norm.
 *
 * Two policies share the loop. `categorical`: a probability for each discrete
 * action (softmax of the policy network's logits). `joystick` (the seed's): a
 * Gaussian stick (x, y) — the network's two outputs are its mean, a learned
 * log-std (state-independent, as CleanRL's continuous PPO) its spread — whose
 * sample becomes one of the 9 joystick actions by the seed's threshold rule
 * (ppo-params.ts `joystickAction`). The log-probabilities are of the sampled
 * (x, y), as in the seed; the env is handed the mapped action.
 *
 * Two networks, not one trunk with two heads: the seed's actor and critic are
 * separate CNNs, and a separate policy network is a plain LayersModel of the
 * DQN's own builder (dqn.ts `buildQNetwork`, conv or Dense from the same
 * settings) that Play, Export and Import treat like a Q-network; one Adam
 * optimiser steps both, and normalised rewards keep the value loss near 1 so it
 * does not swamp the shared gradient clip.
 *
 * Games and seeds: game k (k = 0, 1, … in the order the copies start them) is
 * played with the env seed deriveSeed(run seed, k), as every other algorithm's
 * episode k, and `train()` yields the games in that order — a game that ends
 * before an earlier one waits for it — so episode k of a PPO run is game k and
 * its seed and actions re-simulate it exactly.
 *
 * Resume: `snapshot()` holds the networks, Adam's moments, the RNG, the reward
 * normaliser and the counters — not the copies' games in progress, nor the
 * rollout collected since the last update. A restored agent starts the games not
 * yet reported (episode, episode + 1, …) from their beginnings with their same
 * seeds and collects a fresh rollout; so a resumed run is a deterministic
 * function of its snapshot, but not step-for-step the run that was not stopped.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import { Rng, deriveSeed, normal } from '../rng'
import type { ParamValues } from '../params'
import { buildQNetwork, clipByGlobalNorm, fittingWeightBytes, forwardNetwork, modelArtifacts, setWeightsFromBytes, weightsBytes, argmax, type NetworkShape } from './dqn'
import { restoreOptimizer, saveOptimizer, type OptimizerStateMeta } from '../nn/optimizer-state'
import { WasmAdam } from '../nn/wasm-optimizers'
import { take } from '../nn/read'
import type { AgentSnapshot, AlgoImplementation, EpisodeResult, RlAgent } from '../agent'
import { joystickAction, joystickProblem, minibatchProblem } from './ppo-params'

export type PpoParams = Omit<NetworkShape, 'nb_frames'> & {
  policy: 'categorical' | 'joystick'
  num_envs: number
  num_steps: number
  update_epochs: number
  num_minibatches: number
  lr: number
  gamma: number
  gae_lambda: number
  clip_coef: number
  ent_coef: number
  vf_coef: number
  max_grad_norm: number
  norm_adv: boolean
  norm_rewards: boolean
  action_std: number
}

/**
 * Generalised advantage estimates of a rollout laid out [step t × copy i]:
 * `ended[t·N + i]` = copy i's game ended at step t (no bootstrap across it),
 * `lastValues[i]` = V of the state each copy is in after the last step.
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  ended: ArrayLike<number>,
  lastValues: ArrayLike<number>,
  gamma: number,
  lambda: number,
  out: { advantages: Float32Array; returns: Float32Array } = { advantages: new Float32Array(rewards.length), returns: new Float32Array(rewards.length) },
): { advantages: Float32Array; returns: Float32Array } {
  const n = lastValues.length
  const steps = rewards.length / n
  for (let i = 0; i < n; i++) {
    let next = 0
    for (let t = steps - 1; t >= 0; t--) {
      const k = t * n + i
      const going = 1 - ended[k]
      const nextValue = t === steps - 1 ? lastValues[i] : values[k + n]
      const delta = rewards[k] + gamma * nextValue * going - values[k]
      next = delta + gamma * lambda * going * next
      out.advantages[k] = next
      out.returns[k] = next + values[k]
    }
  }
  return out
}

/**
 * Rewards divided by a running std of the discounted return (Gymnasium's
 * NormalizeReward): the value network learns numbers near 1 whether a world pays
 * 1 for a catch or 200 for a ghost.
 */
class RewardScaler {
  count = 1e-4
  mean = 0
  var = 1
  private readonly returns: Float64Array

  constructor(
    numEnvs: number,
    private readonly gamma: number,
  ) {
    this.returns = new Float64Array(numEnvs)
  }

  /** Scales one lockstep step's rewards in place; `ended` copies start a new return. */
  scale(rewards: Float32Array, ended: Uint8Array): void {
    const n = rewards.length
    let sum = 0
    for (let i = 0; i < n; i++) sum += this.returns[i] = this.returns[i] * this.gamma + rewards[i]
    const batchMean = sum / n
    let sq = 0
    for (let i = 0; i < n; i++) sq += (this.returns[i] - batchMean) ** 2
    // Chan et al.'s parallel update of the mean and variance.
    const delta = batchMean - this.mean
    const total = this.count + n
    const m2 = this.var * this.count + sq + (delta * delta * this.count * n) / total
    this.mean += (delta * n) / total
    this.var = m2 / total
    this.count = total
    const std = Math.sqrt(this.var + 1e-8)
    for (let i = 0; i < n; i++) {
      rewards[i] /= std
      if (ended[i]) this.returns[i] = 0
    }
  }
}

/** One copy's game in progress. */
interface Game {
  index: number
  seed: number
  actions: number[]
  outputs: number[]
  return: number
}

type FinishedGame = Omit<EpisodeResult, 'envSteps' | 'gradSteps' | 'metrics'>

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)

export class Ppo implements RlAgent {
  /** The policy: logits of each action, or the joystick's mean (x, y). */
  readonly policy: tf.Sequential
  readonly value: tf.Sequential
  /** The joystick's log-std per axis (absent for the categorical policy). */
  readonly logStd: tf.Variable | null
  readonly optimizer: tf.Optimizer
  private readonly joystick: boolean
  private readonly net: NetworkShape
  private readonly frameShape: number[]
  private readonly envs: Env[]
  private readonly stateSize: number
  private readonly nActions: number
  /** Numbers per step the policy outputs and per step a rollout stores of the action: 1 id or (x, y). */
  private readonly nOut: number
  private readonly actDim: number
  private readonly rng: Rng
  private readonly scaler: RewardScaler
  private readonly variables: tf.Variable[]
  // The rollout, [step × copy].
  private readonly buf: {
    obs: Float32Array
    act: Float32Array
    logp: Float32Array
    values: Float32Array
    rewards: Float32Array
    ended: Uint8Array
    advantages: Float32Array
    returns: Float32Array
  }
  private readonly obs: Float32Array
  private readonly stepRewards: Float32Array
  private readonly stepEnded: Uint8Array
  private t = 0
  private games: (Game | null)[]
  private readonly finished = new Map<number, FinishedGame>()
  private nextGame = 0
  private lastMetrics: Record<string, number>
  /** Games reported so far (a restored agent continues from here). */
  episode = 0
  envSteps = 0
  gradSteps = 0
  updates = 0

  constructor(
    env: Env,
    readonly params: PpoParams,
    readonly seed: number,
    makeEnv?: () => Env,
  ) {
    const p = params
    this.joystick = p.policy === 'joystick'
    if (this.joystick) {
      const problem = joystickProblem(env)
      if (problem) throw new Error(problem)
    }
    const split = minibatchProblem(p)
    if (split) throw new Error(split)
    const rollout = p.num_envs * p.num_steps
    if (p.num_envs > 1 && !makeEnv) throw new Error(`PPO plays num_envs ${p.num_envs} copies of the world at once and was given no way to make them`)
    this.envs = [env, ...Array.from({ length: p.num_envs - 1 }, () => makeEnv!())]
    this.nActions = env.actionSpace.n
    this.stateSize = obsSize(env.observationSpace)
    this.frameShape = [...env.observationSpace.shape]
    this.nOut = this.joystick ? 2 : this.nActions
    this.actDim = this.joystick ? 2 : 1
    this.net = { network: p.network, conv_filters: p.conv_filters, conv_kernel: p.conv_kernel, conv_kernels: p.conv_kernels, conv_strides: p.conv_strides, hidden: p.hidden, nb_frames: 1 }
    this.policy = buildQNetwork(this.net, this.frameShape, this.nOut, deriveSeed(seed, 1))
    this.value = buildQNetwork(this.net, this.frameShape, 1, deriveSeed(seed, 2))
    // CleanRL's small last layer (std 0.01): the first policy is near uniform (near 0 for the stick).
    tf.tidy(() => {
      const w = this.policy.getWeights()
      w[w.length - 2] = w[w.length - 2].mul(0.01)
      this.policy.setWeights(w)
    })
    this.logStd = this.joystick ? tf.tidy(() => tf.variable(tf.fill([2], Math.log(p.action_std)), true)) : null
    this.variables = [...this.policy.trainableWeights, ...this.value.trainableWeights].map((w) => w.read() as tf.Variable)
    if (this.logStd) this.variables.push(this.logStd)
    this.optimizer = new WasmAdam(p.lr, 0.9, 0.999, 1e-5)
    this.rng = new Rng(seed)
    this.scaler = new RewardScaler(p.num_envs, p.gamma)
    this.buf = {
      obs: new Float32Array(rollout * this.stateSize),
      act: new Float32Array(rollout * this.actDim),
      logp: new Float32Array(rollout),
      values: new Float32Array(rollout),
      rewards: new Float32Array(rollout),
      ended: new Uint8Array(rollout),
      advantages: new Float32Array(rollout),
      returns: new Float32Array(rollout),
    }
    this.obs = new Float32Array(p.num_envs * this.stateSize)
    this.stepRewards = new Float32Array(p.num_envs)
    this.stepEnded = new Uint8Array(p.num_envs)
    this.games = new Array<Game | null>(p.num_envs).fill(null)
    this.lastMetrics = Object.fromEntries(['policy_loss', 'value_loss', 'entropy', 'approx_kl', 'clip_frac', 'explained_variance', ...(this.joystick ? ['action_std'] : [])].map((k) => [k, NaN]))
  }

  // --- the networks ---

  /** Outputs of a batch: 'taped' inside the loss, 'untaped' where nothing differentiates (acting, values). */
  private forward(net: tf.Sequential, x: tf.Tensor2D, pass: 'taped' | 'untaped'): tf.Tensor2D {
    return forwardNetwork(net, x, this.net, this.frameShape, undefined, pass)
  }

  /** Policy outputs and values of a batch of flat states. */
  private async evaluate(states: Float32Array, n: number): Promise<{ out: Float32Array; values: Float32Array }> {
    const [out, values] = tf.tidy(() => {
      const x = tf.tensor2d(states, [n, this.stateSize])
      return [this.forward(this.policy, x, 'untaped'), this.forward(this.value, x, 'untaped')]
    })
    return { out: await take(out), values: await take(values) }
  }

  private values(states: Float32Array, n: number): Promise<Float32Array> {
    return take(tf.tidy(() => this.forward(this.value, tf.tensor2d(states, [n, this.stateSize]), 'untaped')))
  }

  /** What the agent shows per step: its action probabilities, or the joystick's mean (x, y). */
  async outputs(state: Float32Array): Promise<Float32Array> {
    const out = await take(tf.tidy(() => this.forward(this.policy, tf.tensor2d(state, [1, this.stateSize]), 'untaped')))
    return this.joystick ? out : softmax(out, 0, this.nActions)
  }

  /** The most probable action; for the joystick, its mean mapped by the threshold rule. */
  async greedyAction(state: Float32Array): Promise<number> {
    const out = await this.outputs(state)
    return this.joystick ? joystickAction(out[0], out[1]) : argmax(out)
  }

  // --- 1. rollout ---

  private startGame(i: number): void {
    const index = this.nextGame++
    const seed = deriveSeed(this.seed, index)
    this.obs.set(this.envs[i].reset(seed).obs, i * this.stateSize)
    this.games[i] = { index, seed, actions: [], outputs: [], return: 0 }
  }

  /** One step of every copy: sample, act, store; an update when the rollout is full. */
  private async stepAll(): Promise<void> {
    const p = this.params
    const N = p.num_envs
    const { out, values } = await this.evaluate(this.obs, N)
    const base = this.t * N
    this.buf.obs.set(this.obs, base * this.stateSize)
    const truncated: { i: number; obs: Float32Array }[] = []
    const std = this.joystick ? await this.logStdValues() : null
    for (let i = 0; i < N; i++) {
      const game = this.games[i]!
      const o = i * this.nOut
      const k = base + i
      let action: number
      if (std) {
        const x = out[o] + std[0] * normal(this.rng)
        const y = out[o + 1] + std[1] * normal(this.rng)
        this.buf.act[2 * k] = x
        this.buf.act[2 * k + 1] = y
        this.buf.logp[k] = gaussianLogProb(x, out[o], std[0]) + gaussianLogProb(y, out[o + 1], std[1])
        action = joystickAction(x, y)
        game.outputs.push(out[o], out[o + 1])
      } else {
        const probs = softmax(out, o, this.nActions)
        action = sample(probs, this.rng)
        this.buf.act[k] = action
        this.buf.logp[k] = Math.log(probs[action])
        for (let a = 0; a < this.nActions; a++) game.outputs.push(probs[a])
      }
      this.buf.values[k] = values[i]
      const env = this.envs[i]
      const r = env.step(action)
      this.envSteps++
      game.actions.push(action)
      game.return += r.reward
      this.stepRewards[i] = r.reward
      this.stepEnded[i] = r.terminated || r.truncated ? 1 : 0
      if (r.terminated || r.truncated) {
        if (r.truncated && !r.terminated) truncated.push({ i, obs: r.obs.slice() })
        this.finished.set(game.index, {
          episode: game.index,
          seed: game.seed,
          return: game.return,
          length: game.actions.length,
          won: env.isWon(),
          actions: game.actions,
          outputs: game.outputs,
          stats: env.episodeStats?.(),
        })
        this.startGame(i)
      } else {
        this.obs.set(r.obs, i * this.stateSize)
      }
    }
    if (p.norm_rewards) this.scaler.scale(this.stepRewards, this.stepEnded)
    // A game cut off by the step cap did not end: its last reward also earns γ·V of where it stopped.
    if (truncated.length) {
      const states = new Float32Array(truncated.length * this.stateSize)
      truncated.forEach((c, j) => states.set(c.obs, j * this.stateSize))
      const v = await this.values(states, truncated.length)
      truncated.forEach((c, j) => (this.stepRewards[c.i] += p.gamma * v[j]))
    }
    this.buf.rewards.set(this.stepRewards, base)
    this.buf.ended.set(this.stepEnded, base)
    if (++this.t === p.num_steps) {
      await this.update()
      this.t = 0
    }
  }

  private async logStdValues(): Promise<Float32Array> {
    return (await this.logStd!.data()).map(Math.exp) as Float32Array
  }

  // --- 2. advantages and 3. the update ---

  private async update(): Promise<void> {
    const p = this.params
    const b = this.buf
    gae(b.rewards, b.values, b.ended, await this.values(this.obs, p.num_envs), p.gamma, p.gae_lambda, b)
    const total = p.num_envs * p.num_steps
    const size = Math.floor(total / p.num_minibatches)
    const mb = { obs: new Float32Array(size * this.stateSize), act: new Float32Array(size * this.actDim), logp: new Float32Array(size), adv: new Float32Array(size), ret: new Float32Array(size) }
    const order = Array.from({ length: total }, (_, i) => i)
    const sums = { policy_loss: 0, value_loss: 0, entropy: 0, approx_kl: 0, clip_frac: 0 }
    let steps = 0
    for (let epoch = 0; epoch < p.update_epochs; epoch++) {
      shuffle(order, this.rng)
      for (let m = 0; m + size <= total && m < p.num_minibatches * size; m += size) {
        for (let j = 0; j < size; j++) {
          const k = order[m + j]
          mb.obs.set(b.obs.subarray(k * this.stateSize, (k + 1) * this.stateSize), j * this.stateSize)
          for (let d = 0; d < this.actDim; d++) mb.act[j * this.actDim + d] = b.act[k * this.actDim + d]
          mb.logp[j] = b.logp[k]
          mb.adv[j] = b.advantages[k]
          mb.ret[j] = b.returns[k]
        }
        if (p.norm_adv) normalise(mb.adv)
        const stats = await this.gradientStep(mb, size)
        for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += stats[key]
        steps++
      }
    }
    this.updates++
    this.lastMetrics = {
      ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / steps])),
      explained_variance: explainedVariance(b.values, b.returns),
      ...(this.logStd ? { action_std: (await this.logStdValues()).reduce((a, b) => a + b, 0) / 2 } : {}),
    }
  }

  /** One Adam step on a minibatch's PPO loss; returns its parts. */
  private async gradientStep(
    mb: { obs: Float32Array; act: Float32Array; logp: Float32Array; adv: Float32Array; ret: Float32Array },
    size: number,
  ): Promise<{ policy_loss: number; value_loss: number; entropy: number; approx_kl: number; clip_frac: number }> {
    const p = this.params
    let parts: tf.Tensor1D | null = null
    tf.tidy(() => {
      const x = tf.tensor2d(mb.obs, [size, this.stateSize])
      const oldLogp = tf.tensor1d(mb.logp)
      const adv = tf.tensor1d(mb.adv)
      const ret = tf.tensor1d(mb.ret)
      const loss = (): tf.Scalar => {
        const out = this.forward(this.policy, x, 'taped')
        let logp: tf.Tensor1D
        let entropy: tf.Tensor1D
        if (this.joystick) {
          const act = tf.tensor2d(mb.act, [size, 2])
          const std = tf.exp(this.logStd!)
          const z = act.sub(out).div(std)
          logp = z.square().mul(-0.5).sub(this.logStd!).sub(LOG_SQRT_2PI).sum(1)
          // A Gaussian's entropy does not depend on the state: ½ + log √(2π) + log σ per axis.
          entropy = this.logStd!.add(0.5 + LOG_SQRT_2PI).sum().mul(tf.ones([size])) as tf.Tensor1D
        } else {
          const logProbs = tf.logSoftmax(out)
          logp = logProbs.mul(tf.oneHot(tf.tensor1d(mb.act, 'int32'), this.nActions)).sum(1)
          entropy = logProbs.exp().mul(logProbs).sum(1).neg() as tf.Tensor1D
        }
        const logRatio = logp.sub(oldLogp)
        const ratio = logRatio.exp()
        const policyLoss = tf.maximum(adv.neg().mul(ratio), adv.neg().mul(ratio.clipByValue(1 - p.clip_coef, 1 + p.clip_coef))).mean()
        const v = this.forward(this.value, x, 'taped').reshape([-1])
        const valueLoss = v.sub(ret).square().mean().mul(0.5)
        const entropyMean = entropy.mean()
        const approxKl = ratio.sub(1).sub(logRatio).mean()
        const clipFrac = ratio.sub(1).abs().greater(p.clip_coef).cast('float32').mean()
        parts = tf.keep(tf.stack([policyLoss, valueLoss, entropyMean, approxKl, clipFrac]) as tf.Tensor1D)
        return policyLoss.sub(entropyMean.mul(p.ent_coef)).add(valueLoss.mul(p.vf_coef)) as tf.Scalar
      }
      const { grads } = tf.variableGrads(loss, this.variables)
      this.optimizer.applyGradients(p.max_grad_norm > 0 ? clipByGlobalNorm(grads, p.max_grad_norm) : grads)
    })
    this.gradSteps++
    const [policy_loss, value_loss, entropy, approx_kl, clip_frac] = await take(parts as unknown as tf.Tensor1D)
    return { policy_loss, value_loss, entropy, approx_kl, clip_frac }
  }

  // --- the loop the trainer pulls ---

  /**
   * Plays until `episodes` more games are reported, learning every `num_steps`
   * steps; yields them in game order. Every game keeps its per-step outputs
   * until it is reported; `record(episode)` says which keep them in the result.
   */
  async *train(episodes: number, record: (episode: number) => boolean = () => false): AsyncGenerator<EpisodeResult> {
    const end = this.episode + episodes
    for (let i = 0; i < this.games.length; i++) if (!this.games[i]) this.startGame(i)
    while (this.episode < end) {
      const game = this.finished.get(this.episode)
      if (!game) {
        await this.stepAll()
        continue
      }
      this.finished.delete(this.episode)
      this.episode++
      yield {
        ...game,
        outputs: record(game.episode) ? game.outputs : null,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        metrics: { ...this.lastMetrics },
      }
    }
  }

  // --- checkpoints, Play and Export ---

  /** Everything training depends on except the games in progress and the partial rollout (see the header). */
  async snapshot(): Promise<AgentSnapshot> {
    const optimizer = await saveOptimizer(this.optimizer)
    return {
      meta: {
        kind: 'ppo',
        params: this.params,
        seed: this.seed,
        episode: this.episode,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        updates: this.updates,
        rng: this.rng.getState(),
        rewardScale: { count: this.scaler.count, mean: this.scaler.mean, var: this.scaler.var },
        lastMetrics: this.lastMetrics,
        optimizer: optimizer.meta,
      },
      blobs: {
        'policy.bin': await weightsBytes(this.policy),
        'value.bin': await weightsBytes(this.value),
        ...(this.logStd ? { 'log-std.bin': new Uint8Array(((await this.logStd.data()) as Float32Array).slice().buffer) } : {}),
        'optimizer.bin': optimizer.bytes,
      },
    }
  }

  /** A PPO agent that continues from `snap`: the games not yet reported start again with their seeds. */
  static async restore(env: Env, snap: AgentSnapshot, makeEnv?: () => Env): Promise<Ppo> {
    const m = snap.meta as {
      params: PpoParams
      seed: number
      episode: number
      envSteps: number
      gradSteps: number
      updates: number
      rng: number[]
      rewardScale: { count: number; mean: number; var: number }
      lastMetrics: Record<string, number | null>
      optimizer: OptimizerStateMeta
    }
    const agent = new Ppo(env, m.params, m.seed, makeEnv)
    for (const [name, net] of [
      ['policy', agent.policy],
      ['value', agent.value],
    ] as const) {
      const bytes = snap.blobs[`${name}.bin`]
      if (!bytes) throw new Error(`the PPO checkpoint has no ${name} network weights`)
      setWeightsFromBytes(net, bytes)
    }
    if (agent.logStd) tf.tidy(() => agent.logStd!.assign(tf.tensor1d(new Float32Array(snap.blobs['log-std.bin'].slice().buffer))))
    await restoreOptimizer(agent.optimizer, m.optimizer, snap.blobs['optimizer.bin'])
    agent.rng.setState(m.rng)
    Object.assign(agent.scaler, m.rewardScale)
    // JSON keeps NaN as null.
    agent.lastMetrics = Object.fromEntries(Object.entries(m.lastMetrics).map(([k, v]) => [k, v ?? NaN]))
    agent.episode = agent.nextGame = m.episode
    agent.envSteps = m.envSteps
    agent.gradSteps = m.gradSteps
    agent.updates = m.updates
    return agent
  }

  /** The policy network in tfjs's LayersModel format: logits (argmax = greedy action) or the joystick's mean. */
  artifacts(): Promise<tf.io.ModelArtifacts> {
    return modelArtifacts(this.policy)
  }

  /** Starts the policy from a saved one of the same shape (Play); the value network stays as it is. */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    setWeightsFromBytes(this.policy, fittingWeightBytes(this.policy, artifacts))
  }

  dispose(): void {
    this.policy.dispose()
    this.value.dispose()
    this.logStd?.dispose()
    this.optimizer.dispose()
  }
}

// --- small numeric helpers ---

/** softmax(values[from … from + n)). */
function softmax(values: ArrayLike<number>, from: number, n: number): Float32Array {
  let max = -Infinity
  for (let a = 0; a < n; a++) max = Math.max(max, values[from + a])
  const out = new Float32Array(n)
  let sum = 0
  for (let a = 0; a < n; a++) sum += out[a] = Math.exp(values[from + a] - max)
  for (let a = 0; a < n; a++) out[a] /= sum
  return out
}

/** An index drawn with the given probabilities. */
function sample(probs: Float32Array, rng: Rng): number {
  let u = rng.random()
  for (let a = 0; a < probs.length - 1; a++) {
    u -= probs[a]
    if (u < 0) return a
  }
  return probs.length - 1
}

function gaussianLogProb(x: number, mean: number, std: number): number {
  return -0.5 * ((x - mean) / std) ** 2 - Math.log(std) - LOG_SQRT_2PI
}

/** Fisher–Yates in place. */
function shuffle(items: number[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
}

/** To mean 0 and std 1 in place (CleanRL: std with Bessel's correction, + 1e-8). */
function normalise(values: Float32Array): void {
  const n = values.length
  const mean = values.reduce((s, v) => s + v, 0) / n
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0
  for (let i = 0; i < n; i++) values[i] = (values[i] - mean) / (std + 1e-8)
}

/** 1 − Var(returns − values) / Var(returns): 1 = the values predict the returns, ≤ 0 = no better than their mean. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = returns.length
  const variance = (f: (i: number) => number): number => {
    let mean = 0
    for (let i = 0; i < n; i++) mean += f(i) / n
    let s = 0
    for (let i = 0; i < n; i++) s += (f(i) - mean) ** 2
    return s / n
  }
  const v = variance((i) => returns[i])
  return v === 0 ? NaN : 1 - variance((i) => returns[i] - values[i]) / v
}

/** How the trainer makes and restores PPO agents (registered in implementations.ts). */
export const ppoImplementation: AlgoImplementation = {
  create: (env, params: ParamValues, seed, makeEnv) => new Ppo(env, params as unknown as PpoParams, seed, makeEnv),
  restore: (env, snap, makeEnv) => Ppo.restore(env, snap, makeEnv),
}
