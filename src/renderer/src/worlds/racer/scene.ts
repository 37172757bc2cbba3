/**
 * Pixel Racer: the track (walls, road, start, goals), the racer and the path it
 * drove this episode, with optional overlays (greedy-policy arrows, Q heatmap,
 * shortest path). Draws from RacerEnv.renderState() → {x, y, width, height,
 * steps, won} plus the frame's `world` (the track and the episode's trail, see
 * lib/racer.ts) — without a world it can only show the racer on a bare grid.
 *
 * The board is painted with the shared Canvas 2D painter (lib/racer-paint.ts)
 * into a canvas texture at device resolution, so the scene, the editor and the
 * exported GIFs draw tracks identically.
 */
import { CanvasSource, Container, Sprite, Texture } from 'pixi.js'
import type { RacerState } from '../../../../core/racer/env'
import { emptyTrack, type Track } from '../../../../core/racer/track'
import { isRacerOverlay, isRacerWorld, type RacerOverlay } from './racer'
import { fitCell, paintRacer } from './paint'
import type { Scene, SceneFrame } from '../scene'

function isRacerState(s: unknown): s is RacerState {
  const o = s as Partial<RacerState> | null
  return !!o && typeof o.x === 'number' && typeof o.y === 'number' && typeof o.width === 'number' && typeof o.height === 'number'
}

export function createRacerScene(): Scene {
  const root = new Container()
  const sprite = new Sprite()
  root.addChild(sprite)
  let source: CanvasSource | null = null
  let texture: Texture | null = null
  let areaW = 300
  let areaH = 300
  let last: SceneFrame | null = null
  let overlay: RacerOverlay | null = null
  const bare = new Map<string, Track>()

  /** The canvas texture, (re)made when the board's size or the display density changes. */
  function surface(w: number, h: number): CanvasSource {
    const resolution = window.devicePixelRatio || 1
    if (source && source.width === w && source.height === h && source.resolution === resolution) return source
    texture?.destroy(true)
    source = new CanvasSource({ width: w, height: h, resolution, autoDensity: false })
    texture = new Texture({ source })
    sprite.texture = texture
    sprite.width = w
    sprite.height = h
    return source
  }

  function repaint(): void {
    const state = last && isRacerState(last.state) ? last.state : null
    const world = last && isRacerWorld(last.world) ? last.world : null
    let track = world?.track ?? null
    if (!track) {
      if (!state) {
        sprite.visible = false
        return
      }
      const key = `${state.width}x${state.height}`
      track = bare.get(key) ?? emptyTrack(state.width, state.height)
      bare.set(key, track)
    }
    sprite.visible = true
    const pad = 10
    const cell = fitCell(track.width, track.height, areaW, areaH, pad, 72)
    const border = Math.max(2, Math.ceil(cell * 0.12))
    const w = track.width * cell + 2 * border
    const h = track.height * cell + 2 * border
    const src = surface(w, h)
    const ctx = src.context2D as CanvasRenderingContext2D
    ctx.setTransform(src.resolution, 0, 0, src.resolution, 0, 0)
    ctx.clearRect(0, 0, w, h)
    const steps = state ? state.steps : 0
    const trail = world ? world.trail.slice(0, steps + 1) : null
    paintRacer(
      ctx,
      {
        track,
        racer: state ? { x: state.x, y: state.y } : null,
        trail,
        policy: overlay?.policy ?? null,
        arrows: overlay?.arrows ?? false,
        heatmap: overlay?.heatmap ?? false,
        path: overlay?.path ?? null,
        outcome: last?.terminal && state ? (state.won ? 'won' : 'capped') : null,
      },
      cell,
      border,
      border,
    )
    src.update()
    root.position.set(Math.round((areaW - w) / 2), Math.round((areaH - h) / 2))
  }

  return {
    root,
    layout(width, height) {
      areaW = width
      areaH = height
      repaint()
    },
    draw(frame) {
      last = frame
      repaint()
    },
    setOverlay(o) {
      overlay = isRacerOverlay(o) ? o : null
      repaint()
    },
    destroy() {
      texture?.destroy(true)
      texture = null
      source = null
      root.destroy({ children: true })
    },
  }
}
