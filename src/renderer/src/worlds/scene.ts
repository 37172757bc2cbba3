/** A scene draws one env's renderState() into a Pixi container. */
import type { Container } from 'pixi.js'

export interface SceneFrame {
  /** The env's renderState() (a small plain object). */
  state: unknown
  /** True on the episode's last frame. */
  terminal: boolean
  /** Reward received on arriving at this frame. */
  reward: number
  /** What the scene needs that the state does not carry, the same for every frame (the racer's track). */
  world?: unknown
}

export interface Scene {
  readonly root: Container
  /** Fit the drawing into a width × height area (CSS pixels). */
  layout(width: number, height: number): void
  /** Draw a frame; null draws an empty board. */
  draw(frame: SceneFrame | null): void
  /** Optional extras drawn over the frame (the racer's policy arrows / heatmap); the caller renders after. */
  setOverlay?(overlay: unknown): void
  destroy(): void
}

/**
 * The Scene shell of a square board of gridSize × gridSize cells: sizes the cells to fit
 * the area, centres the board, redraws the board on layout and the pieces on every frame.
 */
export function squareBoardScene(
  root: Container,
  gridSize: number,
  drawBoard: (cell: number) => void,
  drawPieces: (frame: SceneFrame | null, cell: number) => void,
): Scene {
  const pad = 14
  let cell = 24
  let last: SceneFrame | null = null
  return {
    root,
    layout(width, height) {
      cell = Math.max(4, Math.floor((Math.min(width, height) - 2 * pad) / gridSize))
      const size = cell * gridSize
      root.position.set(Math.round((width - size) / 2), Math.round((height - size) / 2))
      drawBoard(cell)
      drawPieces(last, cell)
    },
    draw(frame) {
      last = frame
      drawPieces(frame, cell)
    },
    destroy() {
      root.destroy({ children: true })
    },
  }
}
