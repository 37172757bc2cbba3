/** qlearning4k's Snake set-up as one choice: its DQN settings over the seed's reward. */
import type { AlgoInfo } from '../algorithm'
import { DQN_PARAMS, dqnAlgo, withDefaults } from '../agents/dqn-params'
import { QLEARNING4K_SNAKE_DQN } from './world'

export const dqnQlearning4kAlgo: AlgoInfo = {
  ...dqnAlgo,
  id: 'dqn-qlearning4k',
  label: 'DQN · qlearning4k settings',
  description:
    "qlearning4k's Snake example: its conv network (16-32 filters, Dense 256) on 4 stacked canvases, RMSprop, γ 0.8, batch 64, unbounded memory, with the seed's reward (no shaping). Learns slowly on a CPU: ~60 gradient steps/s on wasm.",
  params: withDefaults(DQN_PARAMS, QLEARNING4K_SNAKE_DQN),
  worlds: ['snake'],
  envOverrides: { reward: 'qlearning4k' },
}
