/**
 * Snake: a 10×10 board whose outer ring is wall, the snake (head first) and the
 * fruit. Draws from SnakeEnv.renderState() → {body: [a, b][], fruit, direction,
 * length, dead}; a is the screen column (x), b the row (y).
 */
import { Container, Graphics } from 'pixi.js'
import { SNAKE_SIZE, SNAKE_START_LENGTH, type SnakeState } from '../../../../core/snake/env'
import { squareBoardScene, type Scene, type SceneFrame } from '../scene'

const COLORS = {
  board: 0x0d1520,
  cellLine: 0x16222f,
  frame: 0x2a3b50,
  wall: 0x1d2a3a,
  wallEdge: 0x2b3d52,
  body: 0x2dd4bf,
  bodyTail: 0x0f766e,
  head: 0x5eead4,
  headDead: 0xef4444,
  eye: 0x062320,
  fruit: 0xef4444,
  fruitHighlight: 0xfecaca,
  leaf: 0x65a30d,
  won: 0x22c55e,
  lost: 0xef4444,
  capped: 0xfbbf24,
}

/** Screen direction (dx, dy) of each action index: left, right, up, down. */
const DIRS: [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
]

function isSnakeState(s: unknown): s is SnakeState {
  const o = s as Partial<SnakeState> | null
  return !!o && Array.isArray(o.body) && typeof o.direction === 'number' && typeof o.length === 'number'
}

/** Linear blend of two 0xRRGGBB colours. */
function mix(a: number, b: number, t: number): number {
  const ch = (c: number, s: number): number => (c >> s) & 0xff
  const m = (s: number): number => Math.round(ch(a, s) + (ch(b, s) - ch(a, s)) * t)
  return (m(16) << 16) | (m(8) << 8) | m(0)
}

export function createSnakeScene(): Scene {
  const root = new Container()
  const board = new Graphics()
  const pieces = new Graphics()
  root.addChild(board, pieces)

  function drawBoard(cell: number): void {
    const size = cell * SNAKE_SIZE
    board.clear()
    board.roundRect(-6, -6, size + 12, size + 12, 10).fill(COLORS.board).stroke({ width: 2, color: COLORS.frame })
    for (let i = 2; i < SNAKE_SIZE - 1; i++) {
      board.moveTo(i * cell, cell).lineTo(i * cell, size - cell)
      board.moveTo(cell, i * cell).lineTo(size - cell, i * cell)
    }
    board.stroke({ width: 1, color: COLORS.cellLine })
    // The wall: every cell of the outer ring.
    const gap = Math.max(1, cell * 0.08)
    for (let a = 0; a < SNAKE_SIZE; a++) {
      for (let b = 0; b < SNAKE_SIZE; b++) {
        if (a !== 0 && b !== 0 && a !== SNAKE_SIZE - 1 && b !== SNAKE_SIZE - 1) continue
        board.roundRect(a * cell + gap, b * cell + gap, cell - 2 * gap, cell - 2 * gap, cell * 0.14).fill(COLORS.wall)
        board.rect(a * cell + gap + 1, b * cell + gap, cell - 2 * gap - 2, 1.5).fill({ color: COLORS.wallEdge, alpha: 0.9 })
      }
    }
  }

  function drawPieces(frame: SceneFrame | null, cell: number): void {
    pieces.clear()
    if (!frame || !isSnakeState(frame.state)) return
    const s = frame.state
    const size = cell * SNAKE_SIZE

    // Fruit: an apple with a leaf.
    if (s.fruit) {
      const fx = (s.fruit[0] + 0.5) * cell
      const fy = (s.fruit[1] + 0.5) * cell
      pieces.circle(fx, fy + cell * 0.04, cell * 0.3).fill(COLORS.fruit)
      pieces.circle(fx - cell * 0.1, fy - cell * 0.06, cell * 0.08).fill({ color: COLORS.fruitHighlight, alpha: 0.75 })
      pieces.ellipse(fx + cell * 0.1, fy - cell * 0.3, cell * 0.11, cell * 0.05).fill(COLORS.leaf)
    }

    // Body, tail first so the head sits on top. Segments are joined by bridges.
    const inset = cell * 0.12
    const n = s.body.length
    for (let i = n - 1; i >= 1; i--) {
      const [a, b] = s.body[i]
      const t = n > 2 ? (i - 1) / (n - 2) : 0
      const color = mix(COLORS.body, COLORS.bodyTail, t)
      pieces.roundRect(a * cell + inset, b * cell + inset, cell - 2 * inset, cell - 2 * inset, cell * 0.22).fill(color)
      const [pa, pb] = s.body[i - 1]
      if (Math.abs(pa - a) + Math.abs(pb - b) === 1) {
        // A bridge towards the previous (nearer the head) segment.
        const x = Math.min(a, pa) * cell + (pa === a ? inset : cell / 2)
        const y = Math.min(b, pb) * cell + (pb === b ? inset : cell / 2)
        const w = pa === a ? cell - 2 * inset : cell
        const h = pb === b ? cell - 2 * inset : cell
        pieces.rect(x, y, w, h).fill(color)
      }
    }

    // Head: brighter, rounder, with eyes looking where it is going.
    if (n > 0) {
      const [a, b] = s.body[0]
      const hx = a * cell
      const hy = b * cell
      const headInset = cell * 0.06
      pieces.roundRect(hx + headInset, hy + headInset, cell - 2 * headInset, cell - 2 * headInset, cell * 0.3).fill(s.dead ? COLORS.headDead : COLORS.head)
      const [dx, dy] = DIRS[s.direction] ?? [0, 0]
      const cx = hx + cell / 2 + dx * cell * 0.16
      const cy = hy + cell / 2 + dy * cell * 0.16
      // Eyes sit side by side across the direction of travel.
      const px = -dy * cell * 0.2
      const py = dx * cell * 0.2
      if (s.dead) {
        const r = cell * 0.08
        for (const sgn of [-1, 1]) {
          const ex = cx + sgn * px
          const ey = cy + sgn * py
          pieces.moveTo(ex - r, ey - r).lineTo(ex + r, ey + r).moveTo(ex + r, ey - r).lineTo(ex - r, ey + r)
        }
        pieces.stroke({ width: Math.max(1.5, cell * 0.06), color: COLORS.eye })
      } else {
        for (const sgn of [-1, 1]) {
          pieces.circle(cx + sgn * px, cy + sgn * py, cell * 0.09).fill(COLORS.eye)
          pieces.circle(cx + sgn * px + dx * cell * 0.03, cy + sgn * py + dy * cell * 0.03, cell * 0.035).fill(0xffffff)
        }
      }
    }

    // Outcome: the frame lights up red (crashed), green (grew) or amber (step cap).
    if (frame.terminal) {
      const color = s.dead ? COLORS.lost : s.length > SNAKE_START_LENGTH ? COLORS.won : COLORS.capped
      pieces.roundRect(-6, -6, size + 12, size + 12, 10).stroke({ width: 3, color })
    }
  }

  return squareBoardScene(root, SNAKE_SIZE, drawBoard, drawPieces)
}
