/**
 * Catch: a 10×10 board, a falling fruit and a 3-wide basket on the bottom row.
 * Draws from CatchEnv.renderState() → {fruitRow, fruitCol, basket}.
 */
import { Container, Graphics } from 'pixi.js'
import { CATCH_SIZE, type CatchState } from '../../../../core/catch/env'
import { squareBoardScene, type Scene, type SceneFrame } from '../scene'

const COLORS = {
  board: 0x0d1520,
  cellLine: 0x1c2a3a,
  frame: 0x2a3b50,
  fruit: 0xf59e0b,
  fruitHighlight: 0xfde68a,
  stem: 0x65a30d,
  trail: 0xf59e0b,
  basket: 0x2dd4bf,
  basketEdge: 0x99f6e4,
  won: 0x22c55e,
  lost: 0xef4444,
}

function isCatchState(s: unknown): s is CatchState {
  const o = s as Partial<CatchState> | null
  return !!o && typeof o.fruitRow === 'number' && typeof o.fruitCol === 'number' && typeof o.basket === 'number'
}

export function createCatchScene(): Scene {
  const root = new Container()
  const board = new Graphics()
  const pieces = new Graphics()
  root.addChild(board, pieces)

  function drawBoard(cell: number): void {
    const size = cell * CATCH_SIZE
    board.clear()
    board.roundRect(-6, -6, size + 12, size + 12, 10).fill(COLORS.board).stroke({ width: 2, color: COLORS.frame })
    for (let i = 1; i < CATCH_SIZE; i++) {
      board.moveTo(i * cell, 0).lineTo(i * cell, size)
      board.moveTo(0, i * cell).lineTo(size, i * cell)
    }
    board.stroke({ width: 1, color: COLORS.cellLine })
  }

  function drawPieces(frame: SceneFrame | null, cell: number): void {
    pieces.clear()
    if (!frame || !isCatchState(frame.state)) return
    const s = frame.state
    const size = cell * CATCH_SIZE
    // The path the fruit has fallen, fading upward.
    for (let r = 0; r < s.fruitRow; r++) {
      const alpha = 0.06 + 0.16 * ((r + 1) / Math.max(1, s.fruitRow))
      pieces.circle((s.fruitCol + 0.5) * cell, (r + 0.5) * cell, cell * 0.12).fill({ color: COLORS.trail, alpha })
    }
    // Basket: a tray three cells wide on the bottom row.
    const bx = (s.basket - 1) * cell
    const by = (CATCH_SIZE - 1) * cell
    pieces.roundRect(bx + 2, by + cell * 0.45, cell * 3 - 4, cell * 0.45, cell * 0.12).fill(COLORS.basket)
    pieces.rect(bx + 2, by + cell * 0.2, cell * 0.14, cell * 0.5).fill(COLORS.basket)
    pieces.rect(bx + cell * 3 - 2 - cell * 0.14, by + cell * 0.2, cell * 0.14, cell * 0.5).fill(COLORS.basket)
    pieces.rect(bx + 4, by + cell * 0.47, cell * 3 - 8, 2).fill({ color: COLORS.basketEdge, alpha: 0.7 })
    // Fruit.
    const fx = (s.fruitCol + 0.5) * cell
    const fy = (s.fruitRow + 0.5) * cell
    pieces.rect(fx - 1, fy - cell * 0.42, 2, cell * 0.14).fill(COLORS.stem)
    pieces.circle(fx, fy, cell * 0.32).fill(COLORS.fruit)
    pieces.circle(fx - cell * 0.1, fy - cell * 0.1, cell * 0.08).fill({ color: COLORS.fruitHighlight, alpha: 0.8 })
    // Outcome: the board's frame lights up green (caught) or red (missed).
    if (frame.terminal) {
      const color = frame.reward > 0 ? COLORS.won : COLORS.lost
      pieces.roundRect(-6, -6, size + 12, size + 12, 10).stroke({ width: 3, color })
    }
  }

  return squareBoardScene(root, CATCH_SIZE, drawBoard, drawPieces)
}
