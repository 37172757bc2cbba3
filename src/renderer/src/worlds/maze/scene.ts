/**
 * The maze: walls, pellets, power pellets, the fruit, the ghosts in their
 * colours (blue when frightened, flashing as it ends; only eyes when eaten),
 * Ms. Pac-Man, and the score, lives and level above the board. Draws from
 * MazeEnv.renderState(): positions are game pixels, 8 to a tile, a tile's
 * centre at tile × 8.
 */
import { Container, Graphics, Text } from 'pixi.js'
import type { MazeState } from '../../../../core/maze/env'
import { DOOR, DX, DY, TILE, WALL } from '../../../../core/maze/game'
import { MAZE_LAYOUTS, type MazeLayout } from '../../../../core/maze/layouts'
import type { Scene, SceneFrame } from '../scene'

const COLORS = {
  background: 0x000000,
  wall: 0xffb8ae,
  wallEdge: 0xff0000,
  door: 0xffb8ff,
  pellet: 0xdedeff,
  player: 0xffff00,
  bow: 0xff0000,
  fruit: 0xff2020,
  frightened: 0x2121ff,
  flash: 0xffffff,
  eyeWhite: 0xffffff,
  pupil: 0x2121ff,
  text: 0xffffff,
  over: 0xef4444,
}
const GHOST_COLORS: Record<string, number> = { blinky: 0xff0000, pinky: 0xffb8ff, inky: 0x00ffff, clyde: 0xffb852 }
const HUD = 1.6 // tiles of room above the board for the score line

function isMazeState(s: unknown): s is MazeState {
  const o = s as Partial<MazeState> | null
  return !!o && typeof o.preset === 'string' && o.preset in MAZE_LAYOUTS && !!o.player && Array.isArray(o.ghosts)
}

export function createMazeScene(): Scene {
  const root = new Container()
  const board = new Graphics()
  const pieces = new Graphics()
  const hud = new Text({ text: '', style: { fill: COLORS.text, fontFamily: 'monospace', fontSize: 14, fontWeight: 'bold' } })
  root.addChild(board, pieces, hud)
  let areaW = 300
  let areaH = 300
  let cell = 8
  let layout: MazeLayout = MAZE_LAYOUTS.full
  let last: SceneFrame | null = null

  function fit(): void {
    const cols = layout.grid[0].length
    const rows = layout.grid.length
    cell = Math.max(3, Math.min((areaW - 8) / cols, (areaH - 8) / (rows + HUD)))
    root.position.set(Math.round((areaW - cell * cols) / 2), Math.round((areaH - cell * (rows + HUD)) / 2 + cell * HUD))
    drawBoard()
  }

  function drawBoard(): void {
    const rows = layout.grid.length
    const cols = layout.grid[0].length
    board.clear()
    board.rect(0, 0, cols * cell, rows * cell).fill(COLORS.background)
    layout.grid.forEach((row, y) => {
      for (let x = 0; x < cols; x++) {
        const c = row[x]
        const kind = c === '#' ? WALL : c === '-' ? DOOR : -1
        if (kind === WALL) board.rect(x * cell, y * cell, cell, cell).fill(COLORS.wall)
        if (kind === DOOR) board.rect(x * cell, (y + 0.4) * cell, cell, cell * 0.2).fill(COLORS.door)
      }
    })
    // A red edge where wall meets floor, as the arcade's outlined walls.
    layout.grid.forEach((row, y) => {
      for (let x = 0; x < cols; x++) {
        if (row[x] !== '#') continue
        const open = (dx: number, dy: number): boolean => {
          const r = layout.grid[y + dy]
          const ch = r?.[x + dx]
          return ch !== undefined && ch !== '#' && ch !== '_'
        }
        if (open(0, -1)) board.moveTo(x * cell, y * cell).lineTo((x + 1) * cell, y * cell)
        if (open(0, 1)) board.moveTo(x * cell, (y + 1) * cell).lineTo((x + 1) * cell, (y + 1) * cell)
        if (open(-1, 0)) board.moveTo(x * cell, y * cell).lineTo(x * cell, (y + 1) * cell)
        if (open(1, 0)) board.moveTo((x + 1) * cell, y * cell).lineTo((x + 1) * cell, (y + 1) * cell)
      }
    })
    board.stroke({ width: Math.max(1, cell * 0.15), color: COLORS.wallEdge })
  }

  /** Screen centre of a game-pixel position. */
  const sx = (x: number): number => (x / TILE + 0.5) * cell
  const sy = (y: number): number => (y / TILE + 0.5) * cell

  function drawGhost(x: number, y: number, color: number | null, dir: number): void {
    const r = cell * 0.45
    if (color !== null) {
      pieces.moveTo(x - r, y + r).arc(x, y - r * 0.1, r, Math.PI, 0).lineTo(x + r, y + r)
      // A skirt of three points.
      for (let k = 3; k >= 0; k--) pieces.lineTo(x - r + (2 * r * k) / 3, y + r - (k % 2 ? r * 0.3 : 0))
      pieces.closePath().fill(color)
    }
    for (const side of [-1, 1]) {
      const ex = x + side * r * 0.38
      const ey = y - r * 0.2
      pieces.circle(ex, ey, r * 0.28).fill(COLORS.eyeWhite)
      pieces.circle(ex + DX[dir] * r * 0.12, ey + DY[dir] * r * 0.12, r * 0.14).fill(COLORS.pupil)
    }
  }

  function drawPieces(): void {
    pieces.clear()
    const frame = last
    if (!frame || !isMazeState(frame.state)) {
      hud.text = ''
      return
    }
    const s = frame.state
    const cols = layout.grid[0].length
    for (let i = 0; i < s.pellets.length; i++) {
      const p = s.pellets[i]
      if (!p) continue
      const x = ((i % cols) + 0.5) * cell
      const y = (Math.floor(i / cols) + 0.5) * cell
      pieces.circle(x, y, p === 2 ? cell * 0.38 : Math.max(1, cell * 0.12)).fill(COLORS.pellet)
    }
    if (s.fruit) {
      const fx = (s.fruit.x + 0.5) * cell
      const fy = (s.fruit.y + 0.5) * cell
      pieces.circle(fx - cell * 0.15, fy + cell * 0.1, cell * 0.25).fill(COLORS.fruit)
      pieces.circle(fx + cell * 0.18, fy + cell * 0.15, cell * 0.25).fill(COLORS.fruit)
    }
    const flashing = s.frightLeft > 0 && s.frightLeft < 120 && Math.floor(s.frightLeft / 14) % 2 === 0
    for (const g of s.ghosts) {
      const eyesOnly = g.state === 'eyes' || g.state === 'entering'
      const color = eyesOnly ? null : g.frightened ? (flashing ? COLORS.flash : COLORS.frightened) : (GHOST_COLORS[g.personality] ?? 0xffffff)
      drawGhost(sx(g.x), sy(g.y), color, g.state === 'house' ? 0 : 1)
    }
    // Ms. Pac-Man: a yellow disc whose mouth opens towards where she goes, with a bow.
    const px = sx(s.player.x)
    const py = sy(s.player.y)
    const r = cell * 0.55
    const facing = Math.atan2(DY[s.player.dir], DX[s.player.dir])
    const open = s.player.moving && !s.gameOver ? 0.15 + 0.3 * Math.abs(Math.sin((s.player.x + s.player.y) * 0.4)) : 0.12
    pieces.moveTo(px, py).arc(px, py, r, facing + open, facing + 2 * Math.PI - open).closePath().fill(COLORS.player)
    pieces.circle(px - r * 0.35, py - r * 0.8, r * 0.28).fill(COLORS.bow)
    if (frame.terminal && s.gameOver) pieces.rect(0, 0, cols * cell, layout.grid.length * cell).stroke({ width: 3, color: COLORS.over })
    hud.text = `${s.score}   ${'●'.repeat(Math.max(0, Math.min(s.lives, 6)))}   level ${s.level}`
    hud.style.fontSize = Math.max(10, cell * 0.9)
    hud.position.set(0, -cell * HUD)
  }

  return {
    root,
    layout(width, height) {
      areaW = width
      areaH = height
      fit()
      drawPieces()
    },
    draw(frame) {
      last = frame
      if (frame && isMazeState(frame.state) && MAZE_LAYOUTS[frame.state.preset] !== layout) {
        layout = MAZE_LAYOUTS[frame.state.preset]
        fit()
      }
      drawPieces()
    },
    destroy() {
      root.destroy({ children: true })
    },
  }
}
