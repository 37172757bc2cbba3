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
import { clearPixels, energyRange, paintEnergy, paintLabels, paintPixel } from '../../lib/detector'
import { isLartpcState, isLartpcWorld, paintCanvasAt } from './episode-world'
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

  function build(ev: DetectorEvent): void {
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
    const range = energyRange(energyBounds(ev.energy))
    paintEnergy(panels[0].image.data, ev.energy, range)
    clearPixels(panels[1].image.data)
    paintLabels(panels[1].image.data, ev.label, 1)
    dimmed = new Uint8ClampedArray(panels[0].image.data)
    for (let o = 0; o < dimmed.length; o += 4) {
      dimmed[o] = dimmed[o] * 0.35
      dimmed[o + 1] = dimmed[o + 1] * 0.35
      dimmed[o + 2] = dimmed[o + 2] * 0.35
    }
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

  function place(): void {
    if (!shown) return
    const { width: w, height: h } = shown
    scale = Math.max(0.25, Math.min((areaW - 2 * GAP) / (3 * w), (areaH - CAPTION - 8) / h))
    const total = 3 * w * scale + 2 * GAP
    const x0 = Math.round((areaW - total) / 2)
    const y0 = Math.round(Math.max(0, (areaH - CAPTION - h * scale) / 2))
    panels.forEach((p, i) => {
      p.sprite.position.set(x0 + i * (w * scale + GAP), y0)
      p.sprite.scale.set(scale)
      p.caption.position.set(p.sprite.x, y0 + h * scale + 4)
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
    if (shown !== world.event) build(world.event)
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

/** Largest and smallest positive energy (a loop: spreading 65 536 values into Math.max can overflow the stack). */
function energyBounds(a: Float32Array): { energyMax: number; energyMinPositive: number } {
  let lo = Infinity
  let hi = 0
  for (let i = 0; i < a.length; i++) {
    const v = a[i]
    if (v > 0) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  return { energyMax: hi, energyMinPositive: lo === Infinity ? 0 : lo }
}
