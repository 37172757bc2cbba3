/**
 * Draws a Pixel Racer board with the Canvas 2D API: road, walls, start, goals,
 * the racer and its trail, and optional overlays (Q heatmap, greedy-policy
 * arrows, shortest path, editor marks). One painter for every place a track is
 * shown — the Pixi racer scene (as a canvas texture), the track editor, the
 * side-by-side "training days" boards and the exported GIFs — so they all look
 * the same.
 */
import { GOAL, MOVES, START, WALL, type Point, type Track } from '../../../../core/racer/track'
import type { Policy } from '../../../../shared/api'
import { greedyAction, maxQ, maxQRange } from './racer'

export const RACER_COLORS = {
  board: '#0b131c',
  road: '#121c28',
  grid: '#1b2735',
  wall: '#34475f',
  wallTop: '#4a6282',
  wallShade: '#26364a',
  start: '#2dd4bf',
  goalLight: '#f1f5f9',
  goalDark: '#334155',
  goalEdge: '#fbbf24',
  racer: '#22c55e',
  racerDark: '#15803d',
  racerLight: '#86efac',
  trail: '#4ade80',
  /** The greedy policy's route: magenta, a hue the viridis heatmap under it never takes (its greens hid a green route). */
  route: '#f0abfc',
  routeEdge: '#2e1065',
  path: '#fbbf24',
  arrow: '#f8fafc',
  arrowEdge: '#020617',
  won: '#22c55e',
  capped: '#fbbf24',
  bad: '#ef4444',
}

/**
 * Viridis (matplotlib's perceptually uniform map), sampled at 10 even stops;
 * colours in between are interpolated linearly. No colour-map library is among
 * the dependencies, and ten stops are indistinguishable from the full table here.
 */
const VIRIDIS = ['#440154', '#482878', '#3e4a89', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'].map((h) => [
  parseInt(h.slice(1, 3), 16),
  parseInt(h.slice(3, 5), 16),
  parseInt(h.slice(5, 7), 16),
])

/** Viridis at t ∈ [0, 1] as [r, g, b]. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1)
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x))
  const f = x - i
  const a = VIRIDIS[i]
  const b = VIRIDIS[i + 1]
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number]
}

export const viridisCss = (t: number): string => `rgb(${viridis(t).join(',')})`

/** A CSS linear-gradient of the map, for legends. */
export const VIRIDIS_GRADIENT = `linear-gradient(90deg, ${Array.from({ length: 10 }, (_, i) => `${viridisCss(i / 9)} ${(i / 9) * 100}%`).join(', ')})`

export interface RacerMark {
  cells: readonly Point[]
  color: string
  /** 'fill' tints the cell, 'ring' outlines it, 'cross' crosses it out. */
  style: 'fill' | 'ring' | 'cross'
}

export interface RacerPicture {
  track: Pick<Track, 'width' | 'height' | 'cells'>
  /** Where the racer is; none drawn when null/undefined. */
  racer?: Point | null
  /** Cells driven so far, oldest first (the last one is the racer's). */
  trail?: readonly Point[] | null
  /** A route to show over everything (the greedy policy's): solid, with a dark edge, so it reads over any heatmap. */
  route?: readonly Point[] | null
  path?: readonly Point[] | null
  policy?: Policy | null
  arrows?: boolean
  heatmap?: boolean
  marks?: readonly RacerMark[]
  /** Frames the board: green when the goal was reached, amber when the step cap ended the episode. */
  outcome?: 'won' | 'capped' | null
  /** Grid lines between road cells (default: when cells are ≥ 8 px). */
  grid?: boolean
}

/** Draws the board with its top-left cell at (x0, y0), `cell` pixels per cell (in the context's units). */
export function paintRacer(ctx: CanvasRenderingContext2D, pic: RacerPicture, cell: number, x0 = 0, y0 = 0): void {
  const { width: W, height: H, cells } = pic.track
  const C = RACER_COLORS
  const bw = W * cell
  const bh = H * cell
  ctx.save()
  ctx.translate(x0, y0)

  ctx.fillStyle = C.road
  ctx.fillRect(0, 0, bw, bh)

  // Q heatmap under everything else that sits on the road.
  const policy = pic.policy && pic.policy.width === W && pic.policy.height === H ? pic.policy : null
  if (policy && pic.heatmap) {
    const range = maxQRange(policy, pic.track as Track)
    if (range) {
      const span = range.hi - range.lo
      for (let c = 0; c < W * H; c++) {
        if (cells[c] === WALL || cells[c] === GOAL) continue
        const v = maxQ(policy, c)
        if (v === null) continue
        ctx.fillStyle = viridisCss(span > 1e-12 ? (v - range.lo) / span : 0.5)
        ctx.globalAlpha = 0.85
        ctx.fillRect((c % W) * cell, Math.floor(c / W) * cell, cell, cell)
      }
      ctx.globalAlpha = 1
    }
  }

  if (pic.grid ?? cell >= 8) {
    ctx.strokeStyle = C.grid
    ctx.lineWidth = 1
    ctx.beginPath()
    for (let x = 1; x < W; x++) {
      ctx.moveTo(x * cell + 0.5, 0)
      ctx.lineTo(x * cell + 0.5, bh)
    }
    for (let y = 1; y < H; y++) {
      ctx.moveTo(0, y * cell + 0.5)
      ctx.lineTo(bw, y * cell + 0.5)
    }
    ctx.stroke()
  }

  // Walls: raised blocks (a lighter top edge, a darker bottom edge) when there is room.
  for (let c = 0; c < W * H; c++) {
    if (cells[c] !== WALL) continue
    const x = (c % W) * cell
    const y = Math.floor(c / W) * cell
    ctx.fillStyle = C.wall
    ctx.fillRect(x, y, cell, cell)
    if (cell >= 8) {
      const e = Math.max(1, Math.round(cell * 0.12))
      const wallAt = (dx: number, dy: number): boolean => {
        const nx = (c % W) + dx
        const ny = Math.floor(c / W) + dy
        return nx >= 0 && ny >= 0 && nx < W && ny < H && cells[ny * W + nx] === WALL
      }
      ctx.fillStyle = C.wallTop
      if (!wallAt(0, -1)) ctx.fillRect(x, y, cell, e)
      ctx.fillStyle = C.wallShade
      if (!wallAt(0, 1)) ctx.fillRect(x, y + cell - e, cell, e)
    }
  }

  // Goals: a chequered flag with an amber edge.
  const n = cell >= 20 ? 4 : cell >= 8 ? 2 : 1
  for (let c = 0; c < W * H; c++) {
    if (cells[c] !== GOAL) continue
    const x = (c % W) * cell
    const y = Math.floor(c / W) * cell
    const inset = cell >= 8 ? Math.round(cell * 0.1) : 0
    const s = (cell - 2 * inset) / n
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        ctx.fillStyle = (i + j) % 2 === 0 ? C.goalLight : C.goalDark
        ctx.fillRect(x + inset + i * s, y + inset + j * s, s, s)
      }
    if (cell >= 8) {
      ctx.strokeStyle = C.goalEdge
      ctx.lineWidth = Math.max(1, cell * 0.06)
      ctx.strokeRect(x + inset, y + inset, cell - 2 * inset, cell - 2 * inset)
    }
  }

  // Start: a teal pad.
  for (let c = 0; c < W * H; c++) {
    if (cells[c] !== START) continue
    const x = (c % W) * cell
    const y = Math.floor(c / W) * cell
    const inset = cell * 0.12
    ctx.fillStyle = 'rgba(45, 212, 191, 0.22)'
    ctx.fillRect(x + inset, y + inset, cell - 2 * inset, cell - 2 * inset)
    ctx.strokeStyle = C.start
    ctx.lineWidth = Math.max(1, cell * 0.08)
    ctx.strokeRect(x + inset, y + inset, cell - 2 * inset, cell - 2 * inset)
    if (cell >= 18) {
      ctx.fillStyle = C.start
      ctx.font = `700 ${Math.round(cell * 0.42)}px system-ui, sans-serif`
      ctx.textAlign = 'center'
      ctx.textBaseline = 'middle'
      ctx.fillText('S', x + cell / 2, y + cell / 2 + 1)
    }
  }

  const centre = (p: Point): [number, number] => [(p.x + 0.5) * cell, (p.y + 0.5) * cell]

  // Shortest path: a dashed amber line through the cell centres.
  if (pic.path && pic.path.length > 1) {
    ctx.strokeStyle = C.path
    ctx.globalAlpha = 0.85
    ctx.lineWidth = Math.max(1.5, cell * 0.09)
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    ctx.setLineDash([Math.max(2, cell * 0.22), Math.max(2, cell * 0.18)])
    ctx.beginPath()
    pic.path.forEach((p, i) => (i === 0 ? ctx.moveTo(...centre(p)) : ctx.lineTo(...centre(p))))
    ctx.stroke()
    ctx.setLineDash([])
    ctx.globalAlpha = 1
  }

  // Greedy-policy arrows.
  if (policy && pic.arrows) {
    const len = cell * 0.3
    const head = Math.max(2.5, cell * 0.17)
    for (let c = 0; c < W * H; c++) {
      if (cells[c] === WALL || cells[c] === GOAL) continue
      const a = greedyAction(policy, c)
      if (a < 0 || a >= MOVES.length) continue
      const [cx, cy] = centre({ x: c % W, y: Math.floor(c / W) })
      const dx = MOVES[a].x
      const dy = MOVES[a].y
      const tipX = cx + dx * len
      const tipY = cy + dy * len
      const drawArrow = (): void => {
        ctx.beginPath()
        if (cell >= 12) {
          ctx.moveTo(cx - dx * len * 0.8, cy - dy * len * 0.8)
          ctx.lineTo(tipX - dx * head * 0.6, tipY - dy * head * 0.6)
        }
        ctx.stroke()
        ctx.beginPath()
        ctx.moveTo(tipX, tipY)
        ctx.lineTo(tipX - dx * head - dy * head * 0.75, tipY - dy * head + dx * head * 0.75)
        ctx.lineTo(tipX - dx * head + dy * head * 0.75, tipY - dy * head - dx * head * 0.75)
        ctx.closePath()
        ctx.fill()
      }
      ctx.lineCap = 'round'
      ctx.strokeStyle = C.arrowEdge
      ctx.fillStyle = C.arrowEdge
      ctx.globalAlpha = 0.55
      ctx.lineWidth = Math.max(2.5, cell * 0.13)
      ctx.save()
      ctx.lineJoin = 'round'
      ctx.translate(0.5, 0.5)
      drawArrow()
      ctx.restore()
      ctx.globalAlpha = 0.95
      ctx.strokeStyle = C.arrow
      ctx.fillStyle = C.arrow
      ctx.lineWidth = Math.max(1.2, cell * 0.07)
      drawArrow()
      ctx.globalAlpha = 1
    }
  }

  // Editor marks (previews, problems, hover).
  for (const m of pic.marks ?? []) {
    for (const p of m.cells) {
      if (p.x < 0 || p.y < 0 || p.x >= W || p.y >= H) continue
      const x = p.x * cell
      const y = p.y * cell
      if (m.style === 'fill') {
        ctx.fillStyle = m.color
        ctx.fillRect(x, y, cell, cell)
      } else {
        ctx.strokeStyle = m.color
        ctx.lineWidth = Math.max(1.5, cell * 0.09)
        if (m.style === 'ring') ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, cell - ctx.lineWidth, cell - ctx.lineWidth)
        else {
          const k = cell * 0.22
          ctx.beginPath()
          ctx.moveTo(x + k, y + k)
          ctx.lineTo(x + cell - k, y + cell - k)
          ctx.moveTo(x + cell - k, y + k)
          ctx.lineTo(x + k, y + cell - k)
          ctx.stroke()
        }
      }
    }
  }

  // The trail: where the racer has been this episode, older moves fainter.
  const trail = pic.trail
  if (trail && trail.length > 1) {
    ctx.strokeStyle = C.trail
    ctx.lineWidth = Math.max(1.5, cell * 0.12)
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    const nT = trail.length
    for (let i = 1; i < nT; i++) {
      ctx.globalAlpha = 0.12 + 0.5 * (i / nT)
      ctx.beginPath()
      ctx.moveTo(...centre(trail[i - 1]))
      ctx.lineTo(...centre(trail[i]))
      ctx.stroke()
    }
    ctx.globalAlpha = 1
  }

  const route = pic.route
  if (route && route.length > 1) {
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    ctx.globalAlpha = 1
    for (const [color, width] of [
      [C.routeEdge, Math.max(3, cell * 0.26)],
      [C.route, Math.max(1.5, cell * 0.14)],
    ] as const) {
      ctx.strokeStyle = color
      ctx.lineWidth = width
      ctx.beginPath()
      route.forEach((p, i) => (i === 0 ? ctx.moveTo(...centre(p)) : ctx.lineTo(...centre(p))))
      ctx.stroke()
    }
  }

  // The racer: a little green car, eyes towards its last move.
  if (pic.racer) {
    const p = pic.racer
    const inset = cell * 0.14
    const x = p.x * cell + inset
    const y = p.y * cell + inset
    const s = cell - 2 * inset
    const r = Math.min(s * 0.3, 8)
    ctx.fillStyle = 'rgba(34, 197, 94, 0.25)'
    roundRect(ctx, x - inset * 0.6, y - inset * 0.6, s + inset * 1.2, s + inset * 1.2, r + 2)
    ctx.fill()
    ctx.fillStyle = C.racer
    roundRect(ctx, x, y, s, s, r)
    ctx.fill()
    ctx.strokeStyle = C.racerDark
    ctx.lineWidth = Math.max(1, cell * 0.05)
    ctx.stroke()
    if (cell >= 10) {
      ctx.fillStyle = C.racerLight
      ctx.globalAlpha = 0.7
      ctx.fillRect(x + s * 0.2, y + s * 0.12, s * 0.6, Math.max(1, s * 0.08))
      ctx.globalAlpha = 1
      let dx = 0
      let dy = 0
      if (trail && trail.length > 1) {
        for (let i = trail.length - 1; i > 0; i--) {
          const ddx = trail[i].x - trail[i - 1].x
          const ddy = trail[i].y - trail[i - 1].y
          if (ddx || ddy) {
            dx = Math.sign(ddx)
            dy = Math.sign(ddy)
            break
          }
        }
      }
      const [cx, cy] = centre(p)
      const still = dx === 0 && dy === 0
      // Eyes sit side by side across the direction of travel, nudged forward.
      const perpX = still ? 1 : -dy
      const perpY = still ? 0 : dx
      const fx = cx + dx * s * 0.14
      const fy = cy + dy * s * 0.14 - (still ? s * 0.04 : 0)
      for (const sg of [-1, 1]) {
        const hx = fx + sg * perpX * s * 0.2
        const hy = fy + sg * perpY * s * 0.2
        ctx.fillStyle = '#ffffff'
        ctx.beginPath()
        ctx.arc(hx, hy, Math.max(1.2, s * 0.13), 0, Math.PI * 2)
        ctx.fill()
        ctx.fillStyle = '#052e16'
        ctx.beginPath()
        ctx.arc(hx + dx * s * 0.04, hy + dy * s * 0.04, Math.max(0.8, s * 0.065), 0, Math.PI * 2)
        ctx.fill()
      }
    }
  }

  // Outline of the grid, lit by the outcome.
  const edge = pic.outcome === 'won' ? C.won : pic.outcome === 'capped' ? C.capped : '#2a3b50'
  ctx.strokeStyle = edge
  ctx.lineWidth = pic.outcome ? Math.max(2, cell * 0.12) : 1
  const o = ctx.lineWidth / 2
  ctx.strokeRect(-o, -o, bw + 2 * o, bh + 2 * o)
  ctx.restore()
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath()
  ctx.moveTo(x + r, y)
  ctx.arcTo(x + w, y, x + w, y + h, r)
  ctx.arcTo(x + w, y + h, x, y + h, r)
  ctx.arcTo(x, y + h, x, y, r)
  ctx.arcTo(x, y, x + w, y, r)
  ctx.closePath()
}

/** The largest whole cell size that fits a W×H board in (width × height) with `pad` on each side. */
export function fitCell(W: number, H: number, width: number, height: number, pad = 8, max = 64): number {
  return Math.max(2, Math.min(max, Math.floor(Math.min((width - 2 * pad) / W, (height - 2 * pad) / H))))
}
