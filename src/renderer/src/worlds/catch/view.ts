/** Catch in the renderer: the board, and ←/→ to move the basket. */
import type { WorldView } from '../types'

export const view: WorldView = {
  family: 'catch',
  scene: async () => (await import('./scene')).createCatchScene(),
  play: {
    // The basket only moves sideways: ↓ (and S) is the natural "stay".
    keys: { ArrowLeft: 'left', a: 'left', ArrowRight: 'right', d: 'right', ArrowDown: 'stay', s: 'stay', Space: 'stay' },
    idle: 'stay',
    help: '← / → move the basket; ↓, Space or no key = stay.',
    mode: 'step',
    speed: 3,
  },
}
