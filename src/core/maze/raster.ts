/**
 * The agent's view of the maze, drawn by our own rasteriser into a float
 * buffer (no canvas, so the trainer, tests and the renderer draw the same):
 *
 * - `frames`: a greyscale picture, `scale` pixels per tile (the full maze at
 *   scale 3 is 84 × 93, as wide as the seed's 84 × 84 Atari frames). Brightness
 *   tells things apart as the Atari's luminance does: walls dim, pellets and
 *   fruit mid-grey, each ghost its own grey, frightened ghosts darker, Ms.
 *   Pac-Man white. Actors are drawn at their pixel position, so motion between
 *   tiles shows at scales ≥ 2.
 * - `tiles`: one 0/1 plane per kind of thing, one cell per tile.
 */
import { DOOR, MazeGame, OPEN, TILE, WALL, type Ghost } from './game'

export const GREY = {
  wall: 0.25,
  door: 0.15,
  pellet: 0.5,
  power: 0.8,
  fruit: 0.65,
  blinky: 0.6,
  pinky: 0.7,
  inky: 0.55,
  clyde: 0.75,
  frightened: 0.35,
  eyes: 0.2,
  player: 1,
} as const

export const TILE_CHANNELS = ['walls', 'pellets', 'power pellets', 'ghosts', 'frightened ghosts', 'player', 'fruit'] as const

/** Draws greyscale frames of one game; the walls are drawn once. */
export class FrameRasteriser {
  readonly width: number
  readonly height: number
  private readonly background: Float32Array

  constructor(
    private readonly game: MazeGame,
    readonly scale: number,
  ) {
    this.width = game.width * scale
    this.height = game.height * scale
    this.background = new Float32Array(this.width * this.height)
    for (let ty = 0; ty < game.height; ty++) {
      for (let tx = 0; tx < game.width; tx++) {
        const kind = game.tiles[ty * game.width + tx]
        if (kind === OPEN) continue
        // The house's inside and the area outside the maze stay black, like the arcade's.
        const v = kind === DOOR ? GREY.door : kind === WALL ? GREY.wall : 0
        if (v) this.fillTile(this.background, 0, tx, ty, v)
      }
    }
  }

  private fillTile(out: Float32Array, offset: number, tx: number, ty: number, v: number): void {
    const s = this.scale
    for (let y = 0; y < s; y++) out.fill(v, offset + (ty * s + y) * this.width + tx * s, offset + (ty * s + y) * this.width + tx * s + s)
  }

  /** A square of side `size` centred on the tile-centre pixel (px, py) of the game, wrapping left–right. */
  private square(out: Float32Array, offset: number, px: number, py: number, size: number, v: number): void {
    const s = this.scale
    const left = Math.round((px * s) / TILE + (s - size) / 2)
    const top = Math.round((py * s) / TILE + (s - size) / 2)
    for (let y = top; y < top + size; y++) {
      if (y < 0 || y >= this.height) continue
      const row = offset + y * this.width
      for (let x = left; x < left + size; x++) out[row + (((x % this.width) + this.width) % this.width)] = v
    }
  }

  /** Writes the current frame into `out` at `offset` (width × height values). */
  draw(out: Float32Array, offset: number): void {
    const g = this.game
    const s = this.scale
    out.set(this.background, offset)
    const dot = Math.max(1, Math.floor(s / 4))
    const power = Math.max(1, Math.ceil((s * 3) / 4))
    for (let i = 0; i < g.pellets.length; i++) {
      const p = g.pellets[i]
      if (!p) continue
      const tx = i % g.width
      const ty = (i - tx) / g.width
      this.square(out, offset, tx * TILE, ty * TILE, p === 2 ? power : dot, p === 2 ? GREY.power : GREY.pellet)
    }
    if (g.fruitLeft > 0) this.square(out, offset, g.layout.fruit.x * TILE, g.layout.fruit.y * TILE, s, GREY.fruit)
    for (const ghost of g.ghosts) this.square(out, offset, ghost.x, ghost.y, s, ghostGrey(ghost))
    this.square(out, offset, g.playerX, g.playerY, s, GREY.player)
  }
}

function ghostGrey(g: Ghost): number {
  if (g.state === 'eyes' || g.state === 'entering') return GREY.eyes
  if (g.frightened) return GREY.frightened
  return GREY[g.spec.personality]
}

/** Writes the tile planes (TILE_CHANNELS order, each height × width) into `out` at `offset`. */
export function drawTiles(g: MazeGame, out: Float32Array, offset: number): void {
  const n = g.width * g.height
  out.fill(0, offset, offset + TILE_CHANNELS.length * n)
  for (let i = 0; i < n; i++) {
    if (g.tiles[i] !== OPEN) out[offset + i] = 1
    if (g.pellets[i] === 1) out[offset + n + i] = 1
    if (g.pellets[i] === 2) out[offset + 2 * n + i] = 1
  }
  for (const ghost of g.ghosts) {
    if (ghost.state === 'eyes' || ghost.state === 'entering') continue
    const t = g.tileOf(ghost.x, ghost.y)
    out[offset + (ghost.frightened ? 4 : 3) * n + g.index(t.tx, t.ty)] = 1
  }
  const p = g.tileOf(g.playerX, g.playerY)
  out[offset + 5 * n + g.index(p.tx, p.ty)] = 1
  if (g.fruitLeft > 0) {
    const f = g.tileOf(g.layout.fruit.x * TILE, g.layout.fruit.y * TILE)
    out[offset + 6 * n + g.index(f.tx, f.ty)] = 1
  }
}
