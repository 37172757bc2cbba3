/** A scene draws one env's renderState() into a Pixi container. */
import type { Container } from 'pixi.js'

export interface SceneFrame {
  /** The env's renderState() (a small plain object). */
  state: unknown
  /** True on the episode's last frame. */
  terminal: boolean
  /** Reward received on arriving at this frame. */
  reward: number
}

export interface Scene {
  readonly root: Container
  /** Fit the drawing into a width × height area (CSS pixels). */
  layout(width: number, height: number): void
  /** Draw a frame; null draws an empty board. */
  draw(frame: SceneFrame | null): void
  destroy(): void
}
