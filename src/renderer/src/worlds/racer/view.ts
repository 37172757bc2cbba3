/**
 * Pixel Racer in the renderer: the track board with the racer's trail, the
 * policy overlay (arrows, Q heatmap, shortest path), the Train form's track
 * picker, and the run detail's and replay's racer panels.
 */
import { defineAsyncComponent } from 'vue'
import { ARROW_KEYS } from '../keys'
import type { WorldView } from '../types'
import { useRacerOverlay } from './overlay'
import { racerWorld } from './racer'

export const view: WorldView = {
  family: 'racer',
  scene: async () => (await import('./scene')).createRacerScene(),
  sceneWorld: racerWorld,
  useOverlay: (run) => useRacerOverlay(run).overlay,
  play: {
    // Four moves and no "stay": without a key the racer waits.
    keys: ARROW_KEYS,
    idle: null,
    help: 'Arrow keys (or WASD) move the racer.',
    mode: 'step',
    speed: 3,
  },
  panels: {
    train: defineAsyncComponent(() => import('./RacerTrackPicker.vue')),
    run: defineAsyncComponent(() => import('./RacerRunPanel.vue')),
    live: defineAsyncComponent(() => import('./RacerOverlayToggles.vue')),
    replay: defineAsyncComponent(() => import('./RacerReplayTools.vue')),
  },
  // Moves per episode against the greedy policy's and the shortest path's.
  charts: [{ title: 'Moves to the goal', keys: ['episode_length', 'greedy_steps', 'shortest_steps'], reference: 'shortest_steps' }],
}
