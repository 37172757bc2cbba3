/**
 * Animated GIFs of Pixel Racer episodes: every frame is painted with the same
 * painter as the racer scene (lib/racer-paint.ts) onto an offscreen canvas at a
 * fixed cell size, then encoded with gifenc (one palette for the whole
 * animation, quantised from a few sample frames). Several episodes can share a
 * GIF side by side, in step — the seed README's "Training Day 1 / 55 / 500".
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc'
import type { Point, Track } from '../../../../core/racer/track'
import type { Policy } from '../../../../shared/api'
import { paintRacer } from './paint'

export interface GifPanel {
  track: Track
  /** The racer's cell at each frame of the episode. */
  trail: readonly Point[]
  /** Whether the episode ended on a goal (frames the board green on its last frame). */
  won: boolean
  /** Caption above the board, e.g. "Training day 55". */
  title?: string
  policy?: Policy | null
  arrows?: boolean
  heatmap?: boolean
  path?: readonly Point[] | null
}

export interface GifOptions {
  /** Pixels per cell (default 20). */
  cell?: number
  /** Moves per second (default 8). */
  fps?: number
  /** How long the last frame stays, in ms (default 1500). */
  holdMs?: number
  /** Longer episodes are sampled down to about this many frames (default 400). */
  maxFrames?: number
}

const BG = '#0b1118'
const GAP = 16
const MARGIN = 12

/** Encodes the panels as one looping animated GIF (the bytes start with "GIF89a"). */
export function racerGif(panels: readonly GifPanel[], opts: GifOptions = {}): Uint8Array {
  if (panels.length === 0) throw new Error('nothing to draw')
  const cell = Math.max(2, Math.round(opts.cell ?? 20))
  const fps = opts.fps ?? 8
  const holdMs = opts.holdMs ?? 1500
  const maxFrames = opts.maxFrames ?? 400
  const border = Math.max(2, Math.ceil(cell * 0.12))
  const captions = panels.some((p) => p.title)
  const captionH = captions ? 40 : 0

  const boxes = panels.map((p) => ({ w: p.track.width * cell + 2 * border, h: p.track.height * cell + 2 * border }))
  const width = boxes.reduce((s, b) => s + b.w, 0) + GAP * (panels.length - 1) + 2 * MARGIN
  const height = Math.max(...boxes.map((b) => b.h)) + captionH + 2 * MARGIN
  // GIF frames are at most 65535 px a side; keep well within memory too.
  if (width * height > 16_000_000) throw new Error(`the GIF would be ${width}×${height} px; choose a smaller cell size`)

  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  if (!ctx) throw new Error('no 2D canvas available')

  const longest = Math.max(...panels.map((p) => p.trail.length))
  const stride = Math.max(1, Math.ceil(longest / maxFrames))
  const times: number[] = []
  for (let t = 0; t < longest - 1; t += stride) times.push(t)
  times.push(longest - 1)

  function render(t: number): Uint8ClampedArray {
    ctx!.fillStyle = BG
    ctx!.fillRect(0, 0, width, height)
    let x = MARGIN
    panels.forEach((p, k) => {
      const last = p.trail.length - 1
      const i = Math.min(t, last)
      if (p.title) {
        ctx!.fillStyle = '#e2e8f0'
        ctx!.font = '600 14px system-ui, sans-serif'
        ctx!.textAlign = 'left'
        ctx!.textBaseline = 'alphabetic'
        ctx!.fillText(p.title, x, MARGIN + 15, boxes[k].w)
        ctx!.fillStyle = i === last ? (p.won ? '#4ade80' : '#fbbf24') : '#94a3b8'
        ctx!.font = '12px system-ui, sans-serif'
        const status = i === last ? (p.won ? `goal in ${last} moves` : `no goal after ${last} moves`) : `move ${i}`
        ctx!.fillText(status, x, MARGIN + 32, boxes[k].w)
      }
      paintRacer(
        ctx!,
        {
          track: p.track,
          racer: p.trail[i] ?? null,
          trail: p.trail.slice(0, i + 1),
          policy: p.policy ?? null,
          arrows: p.arrows,
          heatmap: p.heatmap,
          path: p.path ?? null,
          outcome: i === last ? (p.won ? 'won' : 'capped') : null,
        },
        cell,
        x + border,
        MARGIN + captionH + border,
      )
      x += boxes[k].w + GAP
    })
    return ctx!.getImageData(0, 0, width, height).data
  }

  // One palette for every frame, from the first, a middle and the last frame.
  const samples = [0, times[Math.floor(times.length / 2)], longest - 1].map(render)
  const joined = new Uint8ClampedArray(samples.reduce((s, a) => s + a.length, 0))
  let off = 0
  for (const a of samples) {
    joined.set(a, off)
    off += a.length
  }
  const palette = quantize(joined, 256)

  const gif = GIFEncoder()
  const delay = Math.round((1000 / fps) * stride)
  times.forEach((t, k) => {
    const index = applyPalette(render(t), palette)
    const isLast = k === times.length - 1
    gif.writeFrame(index, width, height, { palette: k === 0 ? palette : undefined, delay: isLast ? Math.max(delay, holdMs) : delay })
  })
  gif.finish()
  return gif.bytes()
}
