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
