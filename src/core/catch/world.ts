/** Catch (qlearning4k) as a registered world. */
import type { WorldInfo } from '../world'
import { CatchEnv } from './env'

export const catchWorld: WorldInfo = {
  id: 'catch-v1',
  family: 'catch',
  version: 1,
  kind: 'rl',
  label: 'Catch',
  description: 'Catch the falling fruit with a 3-wide basket (qlearning4k). 10×10 grid; actions left, stay, right; +1 caught, −1 missed.',
  defaultEpisodes: 1000,
  successMetric: { key: 'win_rate', label: 'Win rate (last 100)', target: 0.9 },
  paramDefaults: { dqn: {} },
  params: [],
  episodeStats: [],
  spaces: { observation: 'box', action: 'discrete' },
  outcome: (won) => (won ? 'Caught' : 'Missed'),
  make: (_params, seed) => new CatchEnv(seed),
}
