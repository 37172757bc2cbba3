/** Snake (qlearning4k) as a registered world. */
import type { WorldInfo } from '../world'
import { SnakeEnv, type SnakeState } from './env'

export const snakeWorld: WorldInfo = {
  id: 'snake-v1',
  family: 'snake',
  version: 1,
  kind: 'rl',
  label: 'Snake',
  description:
    'Eat the fruit, grow, and never touch the border or yourself (qlearning4k). 10×10 grid; actions left, right, up, down, idle; reward = new length on eating, −1 on death. Won when the snake grew.',
  defaultEpisodes: 3000,
  successMetric: { key: 'win_rate', label: 'Games that ate a fruit (last 100)', target: 0.9 },
  paramDefaults: {
    // qlearning4k's examples/test_snake.py: conv net, RMSprop, γ 0.8, batch 64, unbounded memory, 4 frames.
    dqn: {
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
    },
  },
  params: [{ key: 'max_steps', label: 'Step cap', type: 'int', default: 200, min: 1, max: 100000, help: 'Episodes are truncated after this many steps.' }],
  episodeStats: [{ key: 'length', label: 'Snake length', unit: 'cells' }],
  spaces: { observation: 'box', action: 'discrete' },
  outcome(won, state) {
    const s = state as Partial<SnakeState> | undefined
    if (won) return s?.length ? `Grew to ${s.length}` : 'Ate a fruit'
    if (!s) return 'No fruit'
    return s.dead ? 'Crashed' : 'Out of steps'
  },
  make: (params, seed) => new SnakeEnv(seed, { maxSteps: params.max_steps as number }),
}
