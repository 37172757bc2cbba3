/**
 * The maze layouts as text grids, one character per tile:
 *
 *   #  wall            .  pellet (10)       o  power pellet (50)
 *   (space) open floor t  tunnel (open; ghosts slow down, the edges wrap)
 *   -  ghost-house door (ghosts only)        h  ghost-house inside (ghosts only)
 *   _  outside the maze (blocked, drawn black)
 *
 * Positions are in tiles and may be half tiles: in the arcade game Ms. Pac-Man
 * starts between two tiles, and the ghosts leave the house through a door two
 * tiles wide.
 */

export interface GhostSpec {
  /** Whose targeting rule it chases with (after the arcade ghosts). */
  personality: 'blinky' | 'pinky' | 'inky' | 'clyde'
  /** Where it starts; a ghost that starts at the house exit starts outside. */
  start: { x: number; y: number }
  /** The tile it heads for in scatter mode (outside the grid, like the arcade's corners). */
  scatter: { x: number; y: number }
}

export interface MazeLayout {
  name: string
  grid: readonly string[]
  player: { x: number; y: number }
  /** The point just outside the house door where ghosts enter the maze. */
  houseExit: { x: number; y: number }
  /** Where eaten ghosts (eyes) revive inside the house. */
  houseCentre: { x: number; y: number }
  ghosts: readonly GhostSpec[]
  fruit: { x: number; y: number }
  /** The bonus fruit appears when this many pellets of the level have been eaten. */
  fruitAt: readonly number[]
}

/** The first Ms. Pac-Man maze (the pink one): 28 × 31 tiles, two pairs of side tunnels. */
export const FULL_MAZE: MazeLayout = {
  name: 'full',
  grid: [
    '############################',
    '#......##..........##......#',
    '#o####.##.########.##.####o#',
    '#.####.##.########.##.####.#',
    '#..........................#',
    '###.##.#####.##.#####.##.###',
    '__#.##.#####.##.#####.##.#__',
    '###.##.#####.##.#####.##.###',
    'ttt.##.......##.......##.ttt',
    '###.##### ######## #####.###',
    '__#.##### ######## #####.#__',
    '__#.                    .#__',
    '__#.##### ###--### #####.#__',
    '__#.##### #hhhhhh# #####.#__',
    '__#.##    #hhhhhh#    ##.#__',
    '__#.## ## #hhhhhh# ## ##.#__',
    '###.## ## ######## ## ##.###',
    'ttt.   ##          ##   .ttt',
    '###.######## ## ########.###',
    '__#.######## ## ########.#__',
    '__#.......   ##   .......#__',
    '__#.#####.########.#####.#__',
    '###.#####.########.#####.###',
    '#............  ............#',
    '#.####.#####.##.#####.####.#',
    '#.####.#####.##.#####.####.#',
    '#.####.##....##....##.####.#',
    '#o####.##.########.##.####o#',
    '#.####.##.########.##.####.#',
    '#..........................#',
    '############################',
  ],
  player: { x: 13.5, y: 23 },
  houseExit: { x: 13.5, y: 11 },
  houseCentre: { x: 13.5, y: 14 },
  ghosts: [
    { personality: 'blinky', start: { x: 13.5, y: 11 }, scatter: { x: 25, y: -3 } },
    { personality: 'pinky', start: { x: 13.5, y: 14 }, scatter: { x: 2, y: -3 } },
    { personality: 'inky', start: { x: 11.5, y: 14 }, scatter: { x: 27, y: 31 } },
    { personality: 'clyde', start: { x: 15.5, y: 14 }, scatter: { x: 0, y: 31 } },
  ],
  fruit: { x: 13.5, y: 17 },
  fruitAt: [70, 170],
}

/** A small maze (11 × 11, two ghosts, one tunnel) on which an agent learns on a CPU in minutes. */
export const SMALL_MAZE: MazeLayout = {
  name: 'small',
  grid: [
    '###########',
    '#o.......o#',
    '#.##.#.##.#',
    '#.........#',
    '##.##-##.##',
    'tt.#hhh#.tt',
    '##.#####.##',
    '#.... ....#',
    '#.##.#.##.#',
    '#o...#...o#',
    '###########',
  ],
  player: { x: 5, y: 7 },
  houseExit: { x: 5, y: 3 },
  houseCentre: { x: 5, y: 5 },
  ghosts: [
    { personality: 'blinky', start: { x: 5, y: 3 }, scatter: { x: 10, y: -2 } },
    { personality: 'pinky', start: { x: 5, y: 5 }, scatter: { x: 0, y: -2 } },
  ],
  fruit: { x: 5, y: 7 },
  fruitAt: [12, 30],
}

export const MAZE_LAYOUTS = { full: FULL_MAZE, small: SMALL_MAZE } as const
export type MazePreset = keyof typeof MAZE_LAYOUTS
