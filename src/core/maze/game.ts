/**
 * The maze game's rules, one game step at a time (the arcade's 1/60 s frame),
 * written from scratch after the Ms. Pac-Man arcade game: pellets 10, power
 * pellets 50, four ghosts with their own targeting, scatter / chase /
 * frightened timers, ghosts eaten in a row 200 / 400 / 800 / 1600, a bonus
 * fruit twice a level, 3 lives, an extra life at 10 000 and faster levels.
 *
 * Positions are in pixels, 8 to a tile, with a tile's centre at tile × 8; actors
 * move whole pixels, their speeds kept in sixteenths of a pixel per step (the
 * arcade's 80 % speed is 1 px per step). Ms. Pac-Man and the ghosts choose their
 * way at tile centres; the grid's columns wrap, which makes the side tunnels.
 * Deterministic under a seed: the seeded RNG picks frightened ghosts' turns and
 * the fruit from level 8 on.
 */
import { Rng } from '../rng'
import type { GhostSpec, MazeLayout } from './layouts'

export const TILE = 8
/** Directions; the order is the arcade ghosts' tie-break order. */
export const UP = 0
export const LEFT = 1
export const DOWN = 2
export const RIGHT = 3
export const DX = [0, -1, 0, 1] as const
export const DY = [-1, 0, 1, 0] as const
const reverse = (d: number): number => (d + 2) & 3

/** Tile kinds (layout characters in layouts.ts). */
export const OPEN = 0
export const WALL = 1
export const DOOR = 2
export const HOUSE = 3
export const VOID = 4

export type GhostState = 'house' | 'leaving' | 'active' | 'eyes' | 'entering'

export interface Ghost {
  spec: GhostSpec
  x: number
  y: number
  dir: number
  state: GhostState
  frightened: boolean
  /** Sixteenths of a pixel carried over to the next step. */
  acc: number
  reversePending: boolean
  /** Pellets counted towards leaving the house (the arcade's personal dot counter). */
  dots: number
}

/** What happened during some game steps; the reward functions weigh these. */
export interface MazeEvents {
  points: number
  pellets: number
  powerPellets: number
  ghosts: number
  fruits: number
  deaths: number
  levels: number
}

export const noEvents = (): MazeEvents => ({ points: 0, pellets: 0, powerPellets: 0, ghosts: 0, fruits: 0, deaths: 0, levels: 0 })

export const START_LIVES = 3
export const EXTRA_LIFE_AT = 10_000
export const PELLET_POINTS = 10
export const POWER_POINTS = 50
/** Cherry, strawberry, orange, pretzel, apple, pear, banana (Ms. Pac-Man's fruit by level). */
export const FRUIT_POINTS = [100, 200, 500, 700, 1000, 2000, 5000] as const
const FRUIT_STEPS = 570 // 9.5 s
const SECOND = 60

/** Speeds in sixteenths of a pixel per step (the arcade's percentages / 5). */
function speeds(level: number): { pac: number; pacFright: number; ghost: number; fright: number; tunnel: number } {
  if (level === 1) return { pac: 16, pacFright: 18, ghost: 15, fright: 10, tunnel: 8 }
  if (level <= 4) return { pac: 18, pacFright: 19, ghost: 17, fright: 11, tunnel: 9 }
  if (level <= 20) return { pac: 20, pacFright: 20, ghost: 19, fright: 12, tunnel: 10 }
  return { pac: 18, pacFright: 18, ghost: 19, fright: 12, tunnel: 10 }
}
const EYES_SPEED = 32
const HOUSE_SPEED = 8

/** Seconds the ghosts stay frightened, by level (0 from level 19: they only turn round). */
const FRIGHT_SECONDS = [6, 5, 4, 3, 2, 5, 2, 2, 1, 5, 2, 1, 1, 3, 1, 1, 0, 1]
export const frightSteps = (level: number): number => (FRIGHT_SECONDS[level - 1] ?? 0) * SECOND

/** Scatter, chase, scatter, … durations in steps; the last chase lasts for ever. */
export function modeSchedule(level: number): readonly number[] {
  if (level === 1) return [7, 20, 7, 20, 5, 20, 5].map((s) => s * SECOND)
  if (level <= 4) return [7 * SECOND, 20 * SECOND, 7 * SECOND, 20 * SECOND, 5 * SECOND, 1033 * SECOND, 1]
  return [5 * SECOND, 20 * SECOND, 5 * SECOND, 20 * SECOND, 5 * SECOND, 1037 * SECOND, 1]
}

/** Pellets a ghost waits for in the house before leaving (its personal counter), by level. */
function dotLimit(ghost: GhostSpec, level: number): number {
  if (ghost.personality === 'inky') return level === 1 ? 30 : 0
  if (ghost.personality === 'clyde') return level === 1 ? 60 : level === 2 ? 50 : 0
  return 0
}
/** After a death the house counts pellets together: Pinky leaves at 7, Inky at 17, Clyde at 32. */
const GLOBAL_DOT_LIMIT = { blinky: 0, pinky: 7, inky: 17, clyde: 32 } as const

const mod = (a: number, n: number): number => ((a % n) + n) % n

export class MazeGame {
  readonly width: number
  readonly height: number
  /** Tile kinds, row-major. */
  readonly tiles: Uint8Array
  readonly tunnel: Uint8Array
  /** 0 none, 1 pellet, 2 power pellet. */
  readonly pellets: Uint8Array
  private readonly startPellets: Uint8Array
  readonly totalPellets: number
  pelletsLeft = 0
  pelletsEatenThisLevel = 0

  playerX = 0
  playerY = 0
  playerDir = LEFT
  playerMoving = true
  private playerAcc = 0
  ghosts: Ghost[] = []

  level = 1
  lives = START_LIVES
  score = 0
  gameOver = false
  steps = 0
  /** Index into the level's scatter/chase schedule (even = scatter) and steps spent in it. */
  phase = 0
  phaseSteps = 0
  frightLeft = 0
  /** Ghosts eaten since the last power pellet. */
  chain = 0
  fruitLeft = 0
  fruitPoints = 0
  private fruitsShown = 0
  private idleSteps = 0
  private globalDots = -1
  private extraLifeGiven = false
  /** Totals for the whole game (episode stats). */
  readonly totals: MazeEvents = noEvents()
  /** What happened since `takeEvents()` was last called. */
  private events: MazeEvents = noEvents()

  constructor(
    readonly layout: MazeLayout,
    private rng: Rng,
  ) {
    this.height = layout.grid.length
    this.width = layout.grid[0].length
    const n = this.width * this.height
    this.tiles = new Uint8Array(n)
    this.tunnel = new Uint8Array(n)
    this.startPellets = new Uint8Array(n)
    this.pellets = new Uint8Array(n)
    layout.grid.forEach((row, y) => {
      if (row.length !== this.width) throw new Error(`maze "${layout.name}": row ${y} has ${row.length} tiles, not ${this.width}`)
      for (let x = 0; x < this.width; x++) {
        const i = y * this.width + x
        const c = row[x]
        switch (c) {
          case '#':
            this.tiles[i] = WALL
            break
          case '_':
            this.tiles[i] = VOID
            break
          case '-':
            this.tiles[i] = DOOR
            break
          case 'h':
            this.tiles[i] = HOUSE
            break
          case 't':
            this.tunnel[i] = 1
            break
          case '.':
            this.startPellets[i] = 1
            break
          case 'o':
            this.startPellets[i] = 2
            break
          case ' ':
            break
          default:
            throw new Error(`maze "${layout.name}": unknown tile "${c}" at row ${y}, column ${x}`)
        }
      }
    })
    this.totalPellets = this.startPellets.reduce((s, v) => s + (v ? 1 : 0), 0)
    this.reset(rng)
  }

  reset(rng: Rng = this.rng): void {
    this.rng = rng
    this.level = 1
    this.lives = START_LIVES
    this.score = 0
    this.gameOver = false
    this.steps = 0
    this.extraLifeGiven = false
    Object.assign(this.totals, noEvents())
    this.events = noEvents()
    this.startLevel()
  }

  private startLevel(): void {
    this.pellets.set(this.startPellets)
    this.pelletsLeft = this.totalPellets
    this.pelletsEatenThisLevel = 0
    this.fruitsShown = 0
    this.globalDots = -1
    for (const g of this.ghosts) g.dots = 0
    this.placeActors()
  }

  /** Everyone back to their starting places (a new level, or a life lost). */
  private placeActors(): void {
    const L = this.layout
    this.playerX = L.player.x * TILE
    this.playerY = L.player.y * TILE
    this.playerDir = LEFT
    this.playerMoving = true
    this.playerAcc = 0
    const dots = this.ghosts.map((g) => g.dots)
    this.ghosts = L.ghosts.map((spec, i) => {
      const outside = spec.start.x === L.houseExit.x && spec.start.y === L.houseExit.y
      return {
        spec,
        x: spec.start.x * TILE,
        y: spec.start.y * TILE,
        dir: outside ? LEFT : UP,
        state: outside ? 'active' : 'house',
        frightened: false,
        acc: 0,
        reversePending: false,
        dots: dots[i] ?? 0,
      }
    })
    this.phase = 0
    this.phaseSteps = 0
    this.frightLeft = 0
    this.chain = 0
    this.fruitLeft = 0
    this.idleSteps = 0
  }

  /** The events since the last call, and a fresh count from now on. */
  takeEvents(): MazeEvents {
    const e = this.events
    this.events = noEvents()
    return e
  }

  index(tx: number, ty: number): number {
    return ty * this.width + mod(tx, this.width)
  }

  /** The tile an actor at pixel (x, y) is in. */
  tileOf(x: number, y: number): { tx: number; ty: number } {
    return { tx: mod(Math.round(x / TILE), this.width), ty: Math.round(y / TILE) }
  }

  private kind(tx: number, ty: number): number {
    if (ty < 0 || ty >= this.height) return VOID
    return this.tiles[this.index(tx, ty)]
  }

  /** Ms. Pac-Man and active ghosts walk on open tiles only (not the door or the house). */
  walkable(tx: number, ty: number): boolean {
    return this.kind(tx, ty) === OPEN
  }

  /**
   * One game step. `wanted` is the joystick: directions in order of preference
   * (empty: keep going). See `preferredTurns` for how a diagonal is ordered.
   */
  step(wanted: readonly number[]): void {
    if (this.gameOver) return
    this.steps++
    const sp = speeds(this.level)
    this.playerAcc += this.frightLeft > 0 ? sp.pacFright : sp.pac
    while (this.playerAcc >= 16) {
      this.playerAcc -= 16
      this.movePlayerPixel(wanted)
    }
    this.eat()
    if (this.gameOver || this.collide()) return
    this.updateTimers()
    for (const g of this.ghosts) this.moveGhost(g, sp)
    this.collide()
  }

  private movePlayerPixel(wanted: readonly number[]): void {
    const x = this.playerX
    const y = this.playerY
    if (mod(x, TILE) === 0 && y % TILE === 0) {
      const tx = x / TILE
      const ty = y / TILE
      let dir = -1
      for (const d of preferredTurns(wanted, this.playerDir)) {
        if (this.walkable(tx + DX[d], ty + DY[d])) {
          dir = d
          break
        }
      }
      if (dir < 0 && this.walkable(tx + DX[this.playerDir], ty + DY[this.playerDir])) dir = this.playerDir
      if (dir < 0) {
        this.playerMoving = false
        return
      }
      this.playerDir = dir
    } else if (wanted.length === 1 && wanted[0] === reverse(this.playerDir)) {
      // Between tile centres only a straight reversal acts.
      this.playerDir = wanted[0]
    }
    this.playerMoving = true
    this.playerX = mod(x + DX[this.playerDir], this.width * TILE)
    this.playerY = y + DY[this.playerDir]
  }

  private eat(): void {
    const { tx, ty } = this.tileOf(this.playerX, this.playerY)
    const i = this.index(tx, ty)
    const p = this.pellets[i]
    if (p) {
      this.pellets[i] = 0
      this.pelletsLeft--
      this.pelletsEatenThisLevel++
      this.idleSteps = 0
      if (p === 2) {
        this.addPoints(POWER_POINTS)
        this.count('powerPellets')
        this.frighten()
      } else {
        this.addPoints(PELLET_POINTS)
        this.count('pellets')
      }
      this.countDotForHouse()
      if (this.layout.fruitAt[this.fruitsShown] === this.pelletsEatenThisLevel) this.showFruit()
      if (this.pelletsLeft === 0) {
        this.count('levels')
        this.level++
        this.startLevel()
        return
      }
    }
    if (this.fruitLeft > 0) {
      const f = this.layout.fruit
      const ft = this.tileOf(f.x * TILE, f.y * TILE)
      if (ft.tx === tx && ft.ty === ty) {
        this.addPoints(this.fruitPoints)
        this.count('fruits')
        this.fruitLeft = 0
      }
    }
  }

  private showFruit(): void {
    this.fruitsShown++
    const kind = this.level <= FRUIT_POINTS.length ? this.level - 1 : this.rng.int(0, FRUIT_POINTS.length)
    this.fruitPoints = FRUIT_POINTS[kind]
    this.fruitLeft = FRUIT_STEPS
  }

  private frighten(): void {
    this.chain = 0
    const steps = frightSteps(this.level)
    this.frightLeft = steps
    for (const g of this.ghosts) {
      if (g.state === 'active') g.reversePending = true
      if (g.state !== 'eyes' && g.state !== 'entering') g.frightened = steps > 0
    }
  }

  private addPoints(points: number): void {
    this.score += points
    this.events.points += points
    this.totals.points += points
    if (!this.extraLifeGiven && this.score >= EXTRA_LIFE_AT) {
      this.extraLifeGiven = true
      this.lives++
    }
  }

  private count(event: Exclude<keyof MazeEvents, 'points'>): void {
    this.events[event]++
    this.totals[event]++
  }

  /** Ghosts touching Ms. Pac-Man: eaten when frightened, otherwise a life lost. True when she died. */
  private collide(): boolean {
    const p = this.tileOf(this.playerX, this.playerY)
    for (const g of this.ghosts) {
      if (g.state !== 'active') continue
      const t = this.tileOf(g.x, g.y)
      if (t.tx !== p.tx || t.ty !== p.ty) continue
      if (g.frightened) {
        this.chain++
        this.addPoints(200 * 2 ** Math.min(this.chain - 1, 3))
        this.count('ghosts')
        g.state = 'eyes'
        g.frightened = false
        g.reversePending = false
      } else {
        this.die()
        return true
      }
    }
    return false
  }

  private die(): void {
    this.count('deaths')
    this.lives--
    if (this.lives <= 0) {
      this.gameOver = true
      return
    }
    this.placeActors()
    this.globalDots = 0
  }

  /** The house's pellet counters: the first ghost waiting counts (or everyone together after a death). */
  private countDotForHouse(): void {
    if (this.globalDots >= 0) {
      this.globalDots++
      return
    }
    const waiting = this.ghosts.find((g) => g.state === 'house')
    if (waiting) waiting.dots++
  }

  private updateTimers(): void {
    if (this.fruitLeft > 0) this.fruitLeft--
    if (this.frightLeft > 0) {
      if (--this.frightLeft === 0) for (const g of this.ghosts) g.frightened = false
    } else {
      const schedule = modeSchedule(this.level)
      if (this.phase < schedule.length && ++this.phaseSteps >= schedule[this.phase]) {
        this.phase++
        this.phaseSteps = 0
        for (const g of this.ghosts) if (g.state === 'active') g.reversePending = true
      }
    }
    // Release the first ghost waiting in the house once its pellet count is reached, or when
    // Ms. Pac-Man has eaten nothing for 4 s (3 s from level 5).
    this.idleSteps++
    const waiting = this.ghosts.find((g) => g.state === 'house')
    if (!waiting) {
      this.globalDots = -1
      return
    }
    const limitReached =
      this.globalDots >= 0 ? this.globalDots >= GLOBAL_DOT_LIMIT[waiting.spec.personality] : waiting.dots >= dotLimit(waiting.spec, this.level)
    if (limitReached || this.idleSteps >= (this.level < 5 ? 4 : 3) * SECOND) {
      waiting.state = 'leaving'
      this.idleSteps = 0
    }
  }

  get scatter(): boolean {
    return this.phase % 2 === 0 && this.phase < modeSchedule(this.level).length
  }

  /** The tile a ghost heads for now. */
  target(g: Ghost): { x: number; y: number } {
    if (g.state === 'eyes') return { x: Math.floor(this.layout.houseExit.x), y: this.layout.houseExit.y }
    if (this.scatter) return g.spec.scatter
    const p = this.tileOf(this.playerX, this.playerY)
    const d = this.playerDir
    switch (g.spec.personality) {
      case 'blinky':
        return { x: p.tx, y: p.ty }
      case 'pinky':
        return { x: p.tx + 4 * DX[d], y: p.ty + 4 * DY[d] }
      case 'inky': {
        const ahead = { x: p.tx + 2 * DX[d], y: p.ty + 2 * DY[d] }
        const blinky = this.ghosts.find((o) => o.spec.personality === 'blinky')
        if (!blinky) return ahead
        const b = this.tileOf(blinky.x, blinky.y)
        return { x: 2 * ahead.x - b.tx, y: 2 * ahead.y - b.ty }
      }
      case 'clyde': {
        const c = this.tileOf(g.x, g.y)
        const far = (c.tx - p.tx) ** 2 + (c.ty - p.ty) ** 2 > 64
        return far ? { x: p.tx, y: p.ty } : g.spec.scatter
      }
    }
  }

  private moveGhost(g: Ghost, sp: ReturnType<typeof speeds>): void {
    if (g.state === 'house') return
    let speed: number
    if (g.state === 'eyes' || g.state === 'entering') speed = EYES_SPEED
    else if (g.state === 'leaving') speed = HOUSE_SPEED
    else if (this.inTunnel(g.x, g.y)) speed = sp.tunnel
    else speed = g.frightened ? sp.fright : sp.ghost
    g.acc += speed
    while (g.acc >= 16) {
      g.acc -= 16
      this.moveGhostPixel(g)
    }
  }

  private inTunnel(x: number, y: number): boolean {
    const t = this.tileOf(x, y)
    return this.tunnel[this.index(t.tx, t.ty)] === 1
  }

  private moveGhostPixel(g: Ghost): void {
    const exitX = this.layout.houseExit.x * TILE
    const exitY = this.layout.houseExit.y * TILE
    if (g.state === 'leaving') {
      if (g.x !== exitX) g.x += Math.sign(exitX - g.x)
      else if (g.y !== exitY) g.y += Math.sign(exitY - g.y)
      if (g.x === exitX && g.y === exitY) {
        g.state = 'active'
        g.dir = LEFT
        g.acc = 0
      }
      return
    }
    if (g.state === 'entering') {
      const centreY = this.layout.houseCentre.y * TILE
      if (g.y !== centreY) g.y += Math.sign(centreY - g.y)
      else g.state = 'leaving'
      return
    }
    if (g.state === 'eyes' && g.x === exitX && g.y === exitY) {
      g.state = 'entering'
      return
    }
    if (g.reversePending) {
      g.reversePending = false
      g.dir = reverse(g.dir)
    } else if (mod(g.x, TILE) === 0 && g.y % TILE === 0) {
      g.dir = this.chooseDir(g)
    }
    g.x = mod(g.x + DX[g.dir], this.width * TILE)
    g.y += DY[g.dir]
  }

  /** At a tile centre: never back the way it came; frightened ghosts turn at random, others towards their target. */
  private chooseDir(g: Ghost): number {
    const tx = mod(g.x / TILE, this.width)
    const ty = g.y / TILE
    const options: number[] = []
    for (let d = 0; d < 4; d++) if (d !== reverse(g.dir) && this.walkable(tx + DX[d], ty + DY[d])) options.push(d)
    if (options.length === 0) return reverse(g.dir)
    if (g.frightened) return options[this.rng.int(0, options.length)]
    const t = this.target(g)
    let best = options[0]
    let bestDist = Infinity
    for (const d of options) {
      const dist = (tx + DX[d] - t.x) ** 2 + (ty + DY[d] - t.y) ** 2
      if (dist < bestDist) {
        bestDist = dist
        best = d
      }
    }
    return best
  }
}

/**
 * The joystick's directions in order of preference. A diagonal holds two
 * directions; the one across Ms. Pac-Man's current motion (the turn) comes
 * first, so at the next tile centre she turns if that way is open and
 * otherwise takes the other one (going on, or turning back).
 */
export function preferredTurns(wanted: readonly number[], current: number): readonly number[] {
  if (wanted.length < 2) return wanted
  const [a, b] = wanted
  const aAcross = (a & 1) !== (current & 1)
  return aAcross ? wanted : [b, a]
}
