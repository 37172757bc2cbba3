/**
 * LArTPC: the event three times side by side — its energies (log colour
 * scale), its truth classes, and the agent's canvas (the classes it wrote
 * over the dimmed energies) — with the cursor's 5×5 window on each. Each
 * panel is one texture of the event's own size, scaled up without smoothing;
 * a frame repaints only the canvas pixels written since the last one drawn
 * (or rebuilds it on a backward seek), so a 256 × 256 event plays at 60 fps.
 */
import { CanvasSource, Container, Graphics, Sprite, Text, Texture } from 'pixi.js'
import { MARGIN } from '../../../../core/lartpc/env'
import { clearPixels, EMPTY_RGB, paintEnergy, paintLabels, paintPixel } from '../../lib/detector'
import { isLartpcState, isLartpcWorld, paintCanvasAt, type LartpcSceneWorld } from './episode-world'
import type { Scene, SceneFrame } from '../scene'
import type { DetectorEvent } from '../../../../core/lartpc/event'

const PANELS = ['Energy', 'Truth', "Agent's canvas"] as const
const GAP = 14
const CAPTION = 20

interface Panel {
  source: CanvasSource
  texture: Texture
  sprite: Sprite
  image: ImageData
  caption: Text
}

export function createLartpcScene(): Scene {
  const root = new Container()
  const marks = new Graphics()
  let panels: Panel[] = []
  let shown: DetectorEvent | null = null
  /** The energy image dimmed, the canvas's background (copied when the canvas is rebuilt). */
  let dimmed: Uint8ClampedArray | null = null
  /** The canvas panel holds the writes of these steps. */
  let painted = { from: 1, to: 0 }
  let scale = 1
  let areaW = 600
  let areaH = 300
  let last: SceneFrame | null = null

  function build(world: LartpcSceneWorld): void {
    const ev = world.event
    for (const p of panels) {
      p.texture.destroy(true)
      p.sprite.destroy()
      p.caption.destroy()
    }
    panels = PANELS.map((name) => {
      const source = new CanvasSource({ width: ev.width, height: ev.height, resolution: 1, autoDensity: false, scaleMode: 'nearest' })
      const texture = new Texture({ source })
      const sprite = new Sprite(texture)
      const caption = new Text({ text: name, style: { fill: 0x94a3b8, fontSize: 12, fontFamily: 'system-ui, sans-serif' } })
      root.addChild(sprite, caption)
      const ctx = source.context2D as CanvasRenderingContext2D
      return { source, texture, sprite, image: ctx.createImageData(ev.width, ev.height), caption }
    })
    root.addChild(marks)
    const range = world.energyRange
    paintEnergy(panels[0].image.data, ev.energy, range)
    clearPixels(panels[1].image.data)
    paintLabels(panels[1].image.data, ev.label, 1)
    dimmed = new Uint8ClampedArray(panels[0].image.data)
    // A third of the way from the empty colour to the energy's: the deposits show faintly under the painting.
    for (let o = 0; o < dimmed.length; o += 4) for (let c = 0; c < 3; c++) dimmed[o + c] = EMPTY_RGB[c] + (dimmed[o + c] - EMPTY_RGB[c]) * 0.35
    for (const p of panels.slice(0, 2)) flush(p)
    panels[2].image.data.set(dimmed)
    painted = { from: 1, to: 0 }
    flush(panels[2])
    shown = ev
    place()
  }

  function flush(p: Panel): void {
    ;(p.source.context2D as CanvasRenderingContext2D).putImageData(p.image, 0, 0)
    p.source.update()
  }

  /** The three panels in a row, a column, or two rows — whichever draws them largest in the area. */
  function place(): void {
    if (!shown) return
    const { width: w, height: h } = shown
    let best = { cols: 3, rows: 1, k: 0 }
    for (const cols of [3, 2, 1]) {
      const rows = Math.ceil(PANELS.length / cols)
      const k = Math.min((areaW - (cols - 1) * GAP) / (cols * w), (areaH - rows * (CAPTION + 4) - (rows - 1) * GAP) / (rows * h))
      if (k > best.k) best = { cols, rows, k }
    }
    scale = Math.max(0.25, best.k)
    const cellW = w * scale
    const cellH = h * scale + CAPTION + 4
    const x0 = Math.round((areaW - (best.cols * cellW + (best.cols - 1) * GAP)) / 2)
    const y0 = Math.round(Math.max(0, (areaH - (best.rows * cellH + (best.rows - 1) * GAP)) / 2))
    panels.forEach((p, i) => {
      const col = i % best.cols
      const row = Math.floor(i / best.cols)
      p.sprite.position.set(x0 + col * (cellW + GAP), y0 + row * (cellH + GAP))
      p.sprite.scale.set(scale)
      p.caption.position.set(p.sprite.x, p.sprite.y + h * scale + 4)
    })
  }

  function repaint(): void {
    marks.clear()
    const frame = last
    const world = frame && isLartpcWorld(frame.world) ? frame.world : null
    const state = frame && isLartpcState(frame.state) ? frame.state : null
    if (!world || !state) {
      root.visible = false
      return
    }
    root.visible = true
    if (shown !== world.event) build(world)
    const k = world.frameOf.get(frame!.state) ?? 0
    painted = paintCanvasAt(world, k, state, panels[2].image.data, dimmed!, painted, paintPixel)
    flush(panels[2])
    const size = (2 * MARGIN + 1) * scale
    for (const p of panels) {
      const x = p.sprite.x + (state.col - MARGIN) * scale
      const y = p.sprite.y + (state.row - MARGIN) * scale
      marks.rect(x, y, size, size).stroke({ width: 1.5, color: frame!.terminal ? 0x94a3b8 : 0xf8fafc })
      marks.rect(p.sprite.x + state.col * scale, p.sprite.y + state.row * scale, Math.max(1, scale), Math.max(1, scale)).stroke({ width: 1, color: 0x22d3ee })
    }
  }

  return {
    root,
    layout(width, height) {
      areaW = width
      areaH = height
      place()
      repaint()
    },
    draw(frame) {
      last = frame
      repaint()
    },
    destroy() {
      for (const p of panels) p.texture.destroy(true)
      root.destroy({ children: true })
    },
  }
}
