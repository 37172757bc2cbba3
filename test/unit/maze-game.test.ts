/**
 * The maze's rules on scripted situations: small hand-made layouts (or the real
 * mazes) with the actors placed, then real game steps.
 */
import { describe, expect, test } from 'vitest'
import { DOWN, DX, DY, LEFT, MazeGame, RIGHT, TILE, UP, frightSteps, modeSchedule, preferredTurns, type Ghost } from '../../src/core/maze/game'
import { FULL_MAZE, SMALL_MAZE, type GhostSpec, type MazeLayout } from '../../src/core/maze/layouts'
import { Rng } from '../../src/core/rng'

const ghostSpec = (personality: GhostSpec['personality'], x: number, y: number): GhostSpec => ({ personality, start: { x, y }, scatter: { x: 0, y: -3 } })

function corridor(row: string, extra: Partial<MazeLayout> = {}): MazeLayout {
  const wall = '#'.repeat(row.length)
  return {
    name: 'test',
    grid: [wall, row, wall],
    player: { x: 1, y: 1 },
    houseExit: { x: row.length - 2, y: 1 },
    houseCentre: { x: row.length - 2, y: 1 },
    ghosts: [],
    fruit: { x: 1, y: 1 },
    fruitAt: [],
    ...extra,
  }
}

/** Steps holding `wanted` until `until` holds (at most `max` steps); returns the steps taken. */
function run(game: MazeGame, wanted: number[], until: () => boolean, max = 2000): number {
  for (let i = 0; i < max; i++) {
    if (until()) return i
    game.step(wanted)
  }
  throw new Error(`condition not reached in ${max} steps`)
}

const place = (g: Ghost, tx: number, ty: number, dir: number): void => {
  g.state = 'active'
  g.x = tx * TILE
  g.y = ty * TILE
  g.dir = dir
}

describe('maze layouts', () => {
  test('the full maze is the first Ms. Pac-Man maze: 28 × 31 tiles, 220 pellets and 4 power pellets, two tunnel rows', () => {
    const g = new MazeGame(FULL_MAZE, new Rng(1))
    expect([g.width, g.height]).toEqual([28, 31])
    expect(g.totalPellets).toBe(224)
    expect([...g.pellets].filter((p) => p === 2).length).toBe(4)
    const tunnelRows = new Set<number>()
    g.tunnel.forEach((t, i) => t && tunnelRows.add(Math.floor(i / 28)))
    expect([...tunnelRows]).toEqual([8, 17])
    expect(g.ghosts.map((o) => o.spec.personality)).toEqual(['blinky', 'pinky', 'inky', 'clyde'])
    expect(g.ghosts.map((o) => o.state)).toEqual(['active', 'house', 'house', 'house'])
  })

  test('the small maze: 11 × 11 tiles, 2 ghosts', () => {
    const g = new MazeGame(SMALL_MAZE, new Rng(1))
    expect([g.width, g.height, g.ghosts.length]).toEqual([11, 11, 2])
  })

  test('a malformed layout is refused with the row it is in', () => {
    expect(() => new MazeGame(corridor('# ..x #'), new Rng(1))).toThrow('unknown tile "x" at row 1, column 4')
    expect(() => new MazeGame({ ...corridor('# .. #'), grid: ['######', '# .. #', '#####'] }, new Rng(1))).toThrow('row 2 has 5 tiles, not 6')
  })
})

describe('scoring', () => {
  test('a pellet is 10 points, a power pellet 50 and frightens the ghosts for the level’s time', () => {
    const g = new MazeGame(corridor('# ...o.#', { ghosts: [ghostSpec('blinky', 1, 1)] }), new Rng(1))
    // Blinky starts in the house here (its start is not the exit); keep it out of the way.
    run(g, [RIGHT], () => g.score === 30)
    expect(g.takeEvents()).toMatchObject({ points: 30, pellets: 3, powerPellets: 0 })
    run(g, [RIGHT], () => g.score === 80)
    expect(g.takeEvents()).toMatchObject({ points: 50, pellets: 0, powerPellets: 1 })
    expect(frightSteps(1)).toBe(6 * 60)
    expect(g.frightLeft).toBe(frightSteps(1) - 1) // the step that ate it counts
    expect(g.ghosts[0].frightened).toBe(true)
    run(g, [], () => g.frightLeft === 0)
    expect(g.ghosts[0].frightened).toBe(false)
  })

  test('ghosts eaten in a row are worth 200, 400, 800, 1600', () => {
    // A pellet at the far end keeps the level going once the power pellet is eaten.
    const row = '#  o' + ' '.repeat(13) + '.#'
    const ghosts = [ghostSpec('blinky', 16, 1), ghostSpec('pinky', 16, 1), ghostSpec('inky', 16, 1), ghostSpec('clyde', 16, 1)]
    const g = new MazeGame(corridor(row, { ghosts, houseExit: { x: 15, y: 1 }, houseCentre: { x: 16, y: 1 } }), new Rng(1))
    run(g, [RIGHT], () => g.frightLeft > 0)
    g.takeEvents()
    // Four frightened ghosts coming down the corridor towards her.
    g.ghosts.forEach((o, i) => place(o, 7 + 2 * i, 1, LEFT))
    const points: number[] = []
    run(g, [RIGHT], () => {
      const e = g.takeEvents()
      if (e.ghosts) points.push(e.points)
      return points.length === 4
    })
    expect(points).toEqual([200, 400, 800, 1600])
    expect(g.totals.ghosts).toBe(4)
    expect(g.ghosts.every((o) => o.state !== 'active' || !o.frightened)).toBe(true)
  })

  test('the bonus fruit appears after the level’s pellet count and is worth 100 on level 1; clearing the maze starts level 2', () => {
    const g = new MazeGame(corridor('#  ..  .#', { fruit: { x: 6, y: 1 }, fruitAt: [2] }), new Rng(1))
    run(g, [RIGHT], () => g.fruitLeft > 0)
    expect(g.fruitPoints).toBe(100)
    expect(g.score).toBe(20)
    run(g, [RIGHT], () => g.totals.fruits === 1)
    expect(g.score).toBe(120)
    run(g, [RIGHT], () => g.level === 2)
    expect(g.totals).toMatchObject({ levels: 1, pellets: 3, fruits: 1, points: 130 })
    // The maze is full again and she is back at the start.
    expect(g.pelletsLeft).toBe(3)
    expect([g.playerX, g.playerY]).toEqual([8, 8])
  })

  test('a ghost that is not frightened takes a life; the third ends the game; 10 000 points give a life back', () => {
    const row = '#' + ' '.repeat(10) + '#'
    const g = new MazeGame(corridor(row, { ghosts: [ghostSpec('blinky', 10, 1)], houseExit: { x: 10, y: 1 }, houseCentre: { x: 10, y: 1 } }), new Rng(1))
    expect(g.lives).toBe(3)
    for (let life = 1; life <= 3; life++) {
      run(g, [RIGHT], () => g.totals.deaths === life)
      expect(g.lives).toBe(3 - life)
    }
    expect(g.gameOver).toBe(true)

    const h = new MazeGame(corridor('# ..#'), new Rng(1))
    h.score = 9990
    run(h, [RIGHT], () => h.score >= 10_000)
    expect(h.lives).toBe(4)
    run(h, [RIGHT], () => h.level === 2)
    expect(h.lives).toBe(4) // once per game
  })
})

describe('movement', () => {
  test('the side tunnels wrap: going left out of the maze comes back in on the right, and ghosts slow down in them', () => {
    const g = new MazeGame({ ...corridor('tt    tt'), player: { x: 3, y: 1 } }, new Rng(1))
    const seen: number[] = []
    run(g, [LEFT], () => {
      seen.push(g.tileOf(g.playerX, g.playerY).tx)
      return seen.length > 60
    })
    expect(seen).toContain(0)
    expect(seen).toContain(7)
    expect(g.playerDir).toBe(LEFT)
    // From column 0 the next tile to the left is column 7.
    const i = seen.indexOf(0)
    expect(seen.slice(i).find((t) => t !== 0)).toBe(7)

    const t = new MazeGame({ ...FULL_MAZE }, new Rng(1))
    const blinky = t.ghosts[0]
    place(blinky, 1, 17, LEFT)
    const x0 = blinky.x
    for (let k = 0; k < 8; k++) t.step([])
    expect(x0 - blinky.x).toBe(4) // 40 % speed: half a pixel a step
  })

  test('diagonals: the direction across her motion first, at the next open tile centre', () => {
    expect(preferredTurns([UP, LEFT], LEFT)).toEqual([UP, LEFT])
    expect(preferredTurns([UP, LEFT], UP)).toEqual([LEFT, UP])
    expect(preferredTurns([DOWN, RIGHT], LEFT)).toEqual([DOWN, RIGHT])

    // Up-left from the start (moving left along row 23): up is walled until column 9, where she turns.
    const a = new MazeGame(FULL_MAZE, new Rng(1))
    run(a, [UP, LEFT], () => a.playerDir === UP)
    expect(a.playerX).toBe(9 * TILE)
    expect(a.playerY).toBe(23 * TILE - 1) // turned at the centre and moved on a pixel

    // Down-right while moving left: down is walled at column 13, so she takes right (turns back), then down at 15.
    const b = new MazeGame(FULL_MAZE, new Rng(1))
    run(b, [DOWN, RIGHT], () => b.playerDir === RIGHT)
    expect(b.playerX).toBe(13 * TILE + 1)
    run(b, [DOWN, RIGHT], () => b.playerDir === DOWN)
    expect(b.playerX).toBe(15 * TILE)
  })

  test('a straight reversal acts at once; a wall stops her; no input keeps her going', () => {
    const g = new MazeGame({ ...corridor('#      #'), player: { x: 3, y: 1 } }, new Rng(1))
    g.step([])
    g.step([])
    expect(g.playerX).toBe(3 * TILE - 2)
    g.step([RIGHT])
    expect(g.playerX).toBe(3 * TILE - 1)
    run(g, [], () => !g.playerMoving)
    expect(g.playerX).toBe(6 * TILE)
  })
})

describe('ghosts', () => {
  test('each chases in its own way', () => {
    const g = new MazeGame(FULL_MAZE, new Rng(1))
    g.phase = 1 // chase
    g.playerX = 13 * TILE
    g.playerY = 23 * TILE
    g.playerDir = LEFT
    const [blinky, pinky, inky, clyde] = g.ghosts
    place(blinky, 20, 23, LEFT)
    expect(g.target(blinky)).toEqual({ x: 13, y: 23 })
    expect(g.target(pinky)).toEqual({ x: 9, y: 23 }) // 4 tiles ahead
    // Inky: twice the vector from Blinky to 2 tiles ahead of her.
    expect(g.target(inky)).toEqual({ x: 2 * 11 - 20, y: 23 })
    place(clyde, 13, 11, LEFT) // 12 tiles away: chases her
    expect(g.target(clyde)).toEqual({ x: 13, y: 23 })
    place(clyde, 15, 23, LEFT) // near her: back to his corner
    expect(g.target(clyde)).toEqual(FULL_MAZE.ghosts[3].scatter)
    g.phase = 0
    expect(g.target(blinky)).toEqual(FULL_MAZE.ghosts[0].scatter)
  })

  test('scatter turns to chase after 7 s on level 1, ghosts turn round, and the mode clock stops while they are frightened', () => {
    expect(modeSchedule(1)[0]).toBe(420)
    const g = new MazeGame(FULL_MAZE, new Rng(1))
    run(g, [], () => g.phaseSteps === 419)
    expect(g.scatter).toBe(true)
    const blinky = g.ghosts[0]
    const before = { dir: blinky.dir, x: blinky.x, y: blinky.y }
    g.step([])
    expect(g.scatter).toBe(false)
    // Blinky turned round: he now moves back the way he was going.
    expect(blinky.dir).toBe((before.dir + 2) % 4)
    expect([blinky.x - before.x, blinky.y - before.y]).toEqual([0 - DX[before.dir], 0 - DY[before.dir]])
    const clock = g.phaseSteps
    g.frightLeft = 10
    for (let k = 0; k < 5; k++) g.step([])
    expect(g.phaseSteps).toBe(clock)
    for (let k = 0; k < 10; k++) g.step([])
    expect(g.phaseSteps).toBe(clock + 5)
  })

  test('an eaten ghost goes home as eyes, revives in the house and comes out again', () => {
    const g = new MazeGame(SMALL_MAZE, new Rng(3))
    const blinky = g.ghosts[0]
    run(g, [RIGHT], () => blinky.state === 'active')
    blinky.state = 'eyes'
    const states = new Set<string>()
    run(g, [], () => {
      states.add(blinky.state)
      return states.has('entering') && blinky.state === 'active'
    }, 3000)
    expect([...states]).toEqual(['eyes', 'entering', 'leaving', 'active'])
  })

  test('ghosts leave the house by their pellet counts: Pinky at once, Inky after 30, Clyde after 60 more (level 1)', () => {
    // Ms. Pac-Man eats along a long corridor; the house opens onto a corridor of its own, so no ghost meets her.
    const n = 100
    const layout: MazeLayout = {
      name: 'test',
      grid: ['#'.repeat(n), '# ' + '.'.repeat(n - 3) + '#', '#'.repeat(n), '#' + ' '.repeat(n - 2) + '#', '#'.repeat(n)],
      player: { x: 1, y: 1 },
      houseExit: { x: 50, y: 3 },
      houseCentre: { x: 50, y: 2 },
      ghosts: [ghostSpec('pinky', 50, 2), ghostSpec('inky', 49, 2), ghostSpec('clyde', 51, 2)],
      fruit: { x: 1, y: 1 },
      fruitAt: [],
    }
    const g = new MazeGame(layout, new Rng(1))
    const [pinky, inky, clyde] = g.ghosts
    g.step([RIGHT])
    expect(pinky.state).toBe('leaving')
    const leftAt = (ghost: Ghost): number => {
      run(g, [RIGHT], () => ghost.state !== 'house')
      return g.pelletsEatenThisLevel
    }
    expect(inky.state).toBe('house')
    expect(leftAt(inky)).toBe(30)
    expect(clyde.state).toBe('house')
    expect(leftAt(clyde)).toBe(90)
  })

  test('a ghost waiting in the house leaves after 4 s without a pellet eaten', () => {
    const g = new MazeGame(FULL_MAZE, new Rng(1))
    const inky = g.ghosts[2]
    // One pellet left, far away in the top-right corner: she runs left along her row and eats nothing.
    g.pellets.fill(0)
    g.pellets[1 * 28 + 26] = 1
    g.pelletsLeft = 1
    run(g, [], () => g.ghosts[1].state !== 'house')
    const start = g.steps
    run(g, [], () => inky.state !== 'house')
    expect(g.pelletsEatenThisLevel).toBe(0)
    expect(g.steps - start).toBe(240)
  })

})

describe('determinism', () => {
  test('the same seed and inputs give the same game; frightened turns use the seed', () => {
    const play = (seed: number): string => {
      const g = new MazeGame(FULL_MAZE, new Rng(seed))
      const rng = new Rng(99)
      const dirs = [[], [UP], [RIGHT], [LEFT], [DOWN], [UP, RIGHT], [UP, LEFT], [DOWN, RIGHT], [DOWN, LEFT]]
      const trace: number[] = []
      for (let k = 0; k < 4000 && !g.gameOver; k++) {
        g.step(dirs[rng.int(0, 9)])
        if (k % 50 === 0) trace.push(g.score, g.playerX, g.playerY, ...g.ghosts.flatMap((o) => [o.x, o.y]))
      }
      return trace.join(',')
    }
    expect(play(5)).toBe(play(5))
  })
})
