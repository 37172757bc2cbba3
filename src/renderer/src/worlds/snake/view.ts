/** Snake in the renderer: the board, and arrow keys to turn while the game ticks. */
import { ARROW_KEYS } from '../keys'
import type { WorldView } from '../types'

export const view: WorldView = {
  family: 'snake',
  scene: async () => (await import('./scene')).createSnakeScene(),
  play: {
    keys: { ...ARROW_KEYS, Space: 'idle' },
    idle: 'idle',
    help: 'Arrow keys (or WASD) turn; Space or no key = keep going.',
    // A snake keeps moving: timed play is the game as people know it.
    mode: 'timed',
    speed: 5,
  },
}
