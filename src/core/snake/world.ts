/**
 * Snake (qlearning4k) as a registered world. Version 2 adds the reward setting and
 * makes the shaped reward its default (a change of rules, so runs recorded as
 * snake-v1 keep re-simulating with the seed's reward); its DQN defaults are a small
 * conv net that learns visibly within minutes on a CPU. qlearning4k's own settings stay
 * one choice away: the `dqn-qlearning4k` preset (./presets.ts).
 */
import type { ParamSpec, ParamValues } from '../params'
import type { WorldInfo } from '../world'
import { SNAKE_REWARDS, SnakeEnv, type SnakeReward, type SnakeState } from './env'

const STEP_CAP: ParamSpec = { key: 'max_steps', label: 'Step cap', type: 'int', default: 200, min: 1, max: 100000, help: 'Episodes are truncated after this many steps.' }

/** qlearning4k's examples/test_snake.py: conv net, RMSprop, γ 0.8, batch 64, unbounded memory, 4 frames. */
export const QLEARNING4K_SNAKE_DQN: ParamValues = {
  network: 'conv',
  conv_filters: [16, 32],
  hidden: [256],
  optimizer: 'rmsprop',
  lr: 1e-3,
  gamma: 0.8,
  batch_size: 64,
  memory_size: -1,
  nb_frames: 4,
  epsilon_decay_episodes: 1500,
  learning_starts: 64,
}

const snakeV1: Omit<WorldInfo, 'id' | 'version' | 'params' | 'paramDefaults' | 'make'> = {
  family: 'snake',
  kind: 'rl',
  label: 'Snake',
  description:
    'Eat the fruit, grow, and never touch the border or yourself (qlearning4k). 10×10 grid; actions left, right, up, down, idle; reward = new length on eating, −1 on death. Won when the snake grew.',
  defaultEpisodes: 3000,
  successMetric: { key: 'win_rate', label: 'Games that ate a fruit (last 100)', target: 0.9 },
  episodeStats: [{ key: 'length', label: 'Snake length', unit: 'cells' }],
  spaces: { observation: 'box', action: 'discrete' },
  outcome(won, state) {
    const s = state as Partial<SnakeState> | undefined
    if (won) return s?.length ? `Grew to ${s.length}` : 'Ate a fruit'
    if (!s) return 'No fruit'
    return s.dead ? 'Crashed' : 'Out of steps'
  },
}

/** The seed's rules and reward, with qlearning4k's settings as the DQN's defaults: what runs recorded before version 2 replay with. */
export const snakeWorldV1: WorldInfo = {
  ...snakeV1,
  id: 'snake-v1',
  version: 1,
  paramDefaults: { dqn: QLEARNING4K_SNAKE_DQN },
  params: [STEP_CAP],
  make: (params, seed) => new SnakeEnv(seed, { maxSteps: params.max_steps as number }),
}

/**
 * The default DQN: a small conv net (16 and 16 filters of 3×3, Dense 64) on the last two
 * canvases (two, so the head's direction shows), Adam, a hard target network and Double
 * DQN, ε by steps. On wasm it takes ~3–5× the gradient steps per second of qlearning4k's
 * conv net, and learned more in the same time than an MLP (128, 128) twice as fast (docs/benchmarks.md, Snake).
 */
export const SNAKE_DQN: ParamValues = {
  network: 'conv',
  conv_filters: [16, 16],
  hidden: [64],
  optimizer: 'adam',
  lr: 1e-3,
  gamma: 0.9,
  batch_size: 32,
  memory_size: 50000,
  nb_frames: 2,
  epsilon_start: 1,
  epsilon_end: 0.05,
  epsilon_decay_steps: 10000,
  learning_starts: 500,
  target_network: 'hard',
  target_update_every: 500,
  double_dqn: true,
}

export const snakeWorld: WorldInfo = {
  ...snakeV1,
  id: 'snake-v2',
  version: 2,
  description:
    'Eat the fruit, grow, and never touch the border or yourself (qlearning4k). 10×10 grid; actions left, right, up, down, idle; reward = new length on eating, −1 on death, and by default +0.1 for each move toward the fruit and −0.2 for each move away. Won when the snake grew.',
  paramDefaults: { dqn: SNAKE_DQN },
  params: [
    STEP_CAP,
    {
      key: 'reward',
      label: 'Reward',
      type: 'select',
      default: 'shaped',
      options: SNAKE_REWARDS,
      help: "shaped: the seed's reward plus 0.1 for each move that brings the head closer to the fruit and −0.2 for each that takes it away, so circling costs (the seed's alone is so sparse that a learner first settles on circling); qlearning4k: the seed's — the new length on eating, −1 on death, else 0.",
    },
  ],
  make: (params, seed) => new SnakeEnv(seed, { maxSteps: params.max_steps as number, reward: params.reward as SnakeReward }),
}
