/** The maze in the renderer: the board, the joystick on the keyboard while the game ticks, and the Train form's reward editor. */
import { defineAsyncComponent } from 'vue'
import { ARROW_KEYS } from '../keys'
import type { WorldView } from '../types'

export const view: WorldView = {
  family: 'maze',
  scene: async () => (await import('./scene')).createMazeScene(),
  play: {
    keys: { ...ARROW_KEYS, q: 'up-left', e: 'up-right', z: 'down-left', c: 'down-right', Space: 'none' },
    idle: 'none',
    help: 'Arrow keys (or WASD) steer, Q E Z C are the diagonals: the joystick stays where you pushed it until another key (Space lets go). Ms. Pac-Man keeps going until a wall. 15 steps/s is the arcade’s speed.',
    // Ms. Pac-Man keeps moving: timed play is the game as people know it, with the joystick held.
    mode: 'timed',
    speed: 12,
    hold: true,
  },
  panels: {
    train: defineAsyncComponent(() => import('./RewardPicker.vue')),
  },
}
