/**
 * Pixel Racer tracks: a grid of wall / road / start / goal cells, the seed
 * project's text format (FORMAT.md: `lw` wall lines, `hc` half circles, `r`
 * start, `g` goals), a JSON form, ASCII rendering, BFS shortest paths and the
 * flip / rotate variants.
 *
 * Coordinates are the file's: x is the column, y the row, row 0 drawn at the
 * top. FORMAT.md's "north = +y" therefore points DOWN on screen.
 *
 * Pure TypeScript (no fs, no DOM) so the renderer, the editor and the trainer
 * all share it.
 */
import { z } from 'zod'
import { Rng } from '../rng'

export const ROAD = 0
export const WALL = 1
export const START = 2
export const GOAL = 3
export type CellCode = typeof ROAD | typeof WALL | typeof START | typeof GOAL

/** The seed's grid. */
export const DEFAULT_TRACK_SIZE = 11
/** Largest side the editor and loaders accept (the issue asks for at least 64). */
export const MAX_TRACK_SIDE = 128

export interface Track {
  width: number
  height: number
  /** Row-major [height × width] of CellCode: cells[y * width + x]. */
  cells: Uint8Array
  name?: string
  /**
   * Where each start / goal cell came from in a parsed file: cell index → 1-based
   * line number, so validation problems can name the line. Not part of equality.
   */
  lines?: ReadonlyMap<number, number>
}

export interface Point {
  x: number
  y: number
}

export interface TrackProblem {
  severity: 'error' | 'warning'
  message: string
  /** 1-based line in the source file, when the problem has one. */
  line?: number
}

/** A track that cannot be loaded: names the line (when there is one) and the problem. */
export class TrackFormatError extends Error {
  constructor(
    readonly problem: string,
    readonly line?: number,
    readonly problems: TrackProblem[] = [],
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`)
    this.name = 'TrackFormatError'
  }
}

// ---------------------------------------------------------------- model helpers

export function emptyTrack(width = DEFAULT_TRACK_SIZE, height = DEFAULT_TRACK_SIZE, name?: string): Track {
  checkSize(width, height)
  return { width, height, cells: new Uint8Array(width * height), name }
}

function checkSize(width: number, height: number): void {
  for (const [what, v] of [['width', width], ['height', height]] as const)
    if (!Number.isInteger(v) || v < 1 || v > MAX_TRACK_SIDE)
      throw new TrackFormatError(`track ${what} must be a whole number from 1 to ${MAX_TRACK_SIDE}, got ${v}`)
}

export const inGrid = (t: Track, x: number, y: number): boolean => x >= 0 && y >= 0 && x < t.width && y < t.height
export const cellAt = (t: Track, x: number, y: number): CellCode => t.cells[y * t.width + x] as CellCode

export function findStart(t: Track): Point | null {
  const i = t.cells.indexOf(START)
  return i < 0 ? null : { x: i % t.width, y: Math.floor(i / t.width) }
}

export function goalCells(t: Track): Point[] {
  const out: Point[] = []
  t.cells.forEach((c, i) => {
    if (c === GOAL) out.push({ x: i % t.width, y: Math.floor(i / t.width) })
  })
  return out
}

/** Same size and the same cells (names and source lines are ignored). */
export function tracksEqual(a: Track, b: Track): boolean {
  if (a.width !== b.width || a.height !== b.height) return false
  for (let i = 0; i < a.cells.length; i++) if (a.cells[i] !== b.cells[i]) return false
  return true
}

// ---------------------------------------------------------------- the seed's primitives

/**
 * Pixels of `lw x1 y1 x2 y2`: from (x1,y1) toward (x2,y2), end exclusive, so
 * |x2−x1| pixels for a horizontal line. Null for a diagonal line. With `grid`,
 * only the pixels on it, found without walking the rest: a file's `lw 0 0 10000000 0`
 * costs 11 pixels on an 11×11 grid, not ten million.
 */
export function linePixels(x1: number, y1: number, x2: number, y2: number, grid?: { width: number; height: number }): Point[] | null {
  const horizontal = y1 === y2
  if (!horizontal && x1 !== x2) return null
  const [from, to, fixed] = horizontal ? [x1, x2, y1] : [y1, y2, x1]
  const dir = Math.sign(to - from)
  const length = Math.abs(to - from)
  let kLo = 0
  let kHi = length // exclusive
  if (grid) {
    const [along, across] = horizontal ? [grid.width, grid.height] : [grid.height, grid.width]
    if (fixed < 0 || fixed >= across) return []
    // Steps k with 0 <= from + k·dir < along.
    const a = dir >= 0 ? -from : from - (along - 1)
    const b = dir >= 0 ? along - 1 - from : from
    kLo = Math.max(kLo, a)
    kHi = Math.min(kHi, b + 1)
  }
  const out: Point[] = []
  for (let k = kLo; k < kHi; k++) {
    const v = from + k * dir
    out.push(horizontal ? { x: v, y: fixed } : { x: fixed, y: v })
  }
  return out
}

export type HalfCircle = 'e' | 'n' | 'w' | 's'

/**
 * Pixels of `hc cx cy r q`: the seed's midpoint-circle code, quadrant assignment
 * kept exactly as FORMAT.md describes it — including the first step's Q2 (y,x)
 * and Q4 (−y,−x), which put the +y point in Q2 and the −y point in Q4, and r = 0
 * drawing into Q1 only.
 */
export function halfCirclePixels(cx: number, cy: number, r: number, q: HalfCircle): Point[] {
  const quads: Point[][] = [[], [], [], []] // Q1..Q4
  const put = (k: number, x: number, y: number): number => quads[k].push({ x: cx + x, y: cy + y })
  let x = r
  let y = 0
  let p = 1 - r
  put(0, x, y)
  if (r > 0) {
    put(1, y, x) // [sic] in the seed
    put(2, -x, y)
    put(3, -y, -x)
  }
  while (x > y) {
    y += 1
    if (p <= 0) p += 2 * y + 1
    else {
      x -= 1
      p += 2 * y - 2 * x + 1
    }
    if (x < y) break
    put(0, x, y)
    put(1, -x, y)
    put(2, -x, -y)
    put(3, x, -y)
    if (x !== y) {
      put(0, y, x)
      put(1, -y, x)
      put(2, -y, -x)
      put(3, y, -x)
    }
  }
  const halves: Record<HalfCircle, [number, number]> = { e: [0, 3], n: [0, 1], w: [1, 2], s: [2, 3] }
  const [a, b] = halves[q]
  return [...quads[a], ...quads[b]]
}

// ---------------------------------------------------------------- parsing

export interface TrackFileOptions {
  width?: number
  height?: number
  name?: string
}

const INT = /^-?\d+$/
/** Coordinates and radii past this many digits are no grid position (and would overflow as numbers). */
const MAX_DIGITS = 9
const tooLong = (word: string): boolean => word.replace('-', '').length > MAX_DIGITS
/** Longest track file read (a 128 × 128 track of single-cell walls is ~330 kB). */
export const MAX_TRACK_FILE_CHARS = 2 * 1024 * 1024
/** Quoted words in messages are cut to this length, so one bad line stays one short line. */
const QUOTE_CHARS = 40

function quote(text: string): string {
  return `"${text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text}"`
}

/** At most three off-grid pixels, then how many more. */
function offGridList(pixels: readonly Point[], total: number): string {
  const shown = pixels.slice(0, 3).map((p) => `(${p.x},${p.y})`).join(' ')
  return total > 3 ? `${shown} … (${total} in all)` : shown
}

/**
 * Reads a track file without throwing: the track (null only for an empty file;
 * otherwise drawn as far as the good lines allow) and every problem found, in
 * line order — syntax errors per line, the count line, then validateTrack's
 * checks. For the editor's import pane.
 *
 * The count line: fewer entries than it says is accepted (the seed's own
 * generated track1_* files say 10 for 8 entries); more entries than it says is
 * an error, since a reader that trusts the count would drop them.
 */
export function readTrackFile(text: string, opts: TrackFileOptions = {}): { track: Track | null; problems: TrackProblem[] } {
  const width = opts.width ?? DEFAULT_TRACK_SIZE
  const height = opts.height ?? DEFAULT_TRACK_SIZE
  checkSize(width, height)
  const problems: TrackProblem[] = []
  const error = (line: number, message: string): number => problems.push({ severity: 'error', line, message })
  const grid = `${width}×${height} grid`
  const onGrid = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height
  if (text.length > MAX_TRACK_FILE_CHARS) {
    error(1, `the file has ${text.length} characters; a track file has at most ${MAX_TRACK_FILE_CHARS}`)
    return { track: null, problems }
  }

  const lines = text.split(/\r?\n/)
  const entries: { line: number; words: string[] }[] = []
  let countLine = 0
  let count = -1
  lines.forEach((raw, k) => {
    const words = raw.trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) return // blank lines (e.g. the trailing newline) carry nothing
    if (countLine === 0) {
      countLine = k + 1
      if (words.length !== 1 || !/^\d+$/.test(words[0]))
        error(k + 1, `the first line must be the number of entries (a whole number), got ${quote(raw.trim())}`)
      else count = Number(words[0])
    } else entries.push({ line: k + 1, words })
  })
  const lastLine = Math.max(1, lines.length - (lines[lines.length - 1].trim() === '' ? 1 : 0))
  if (countLine === 0) {
    error(1, 'the file is empty (expected a count line, then wall, start and goal entries)')
    return { track: null, problems }
  }
  if (count >= 0 && entries.length > count)
    error(entries[count].line, `the count line (line ${countLine}) says ${count} entries but there are ${entries.length}`)

  const wall = new Uint8Array(width * height)
  let start: { x: number; y: number; line: number } | null = null
  const goals: { x: number; y: number; line: number }[] = []

  for (const { line, words } of entries) {
    const [op, ...args] = words
    const ints = (n: number | 'pairs', what: string): number[] | null => {
      const arityOk = n === 'pairs' ? args.length >= 2 && args.length % 2 === 0 : args.length === n
      if (!arityOk) {
        error(line, `${quote(op)} takes ${n === 'pairs' ? 'one or more x y pairs' : `${n} arguments (${what})`}, got ${args.length}`)
        return null
      }
      const bad = args.find((a) => !INT.test(a))
      if (bad !== undefined) {
        error(line, `${quote(op)} arguments must be whole numbers, got ${quote(bad)}`)
        return null
      }
      const long = args.find(tooLong)
      if (long !== undefined) {
        error(line, `${quote(op)} argument ${quote(long)} is too large for any track (at most ${MAX_DIGITS} digits)`)
        return null
      }
      return args.map(Number)
    }
    /** Draws the on-grid pixels; `offGrid` (those that fall off, counted by the caller) is an error. */
    const drawWalls = (pixels: Point[], offGrid: Point[], offCount: number, what: string): void => {
      if (offCount > 0) error(line, `${what} draws wall pixel${offCount > 1 ? 's' : ''} off the ${grid}: ${offGridList(offGrid, offCount)}`)
      if (pixels.length === 0 && offCount === 0) problems.push({ severity: 'warning', line, message: `${what} draws no pixels` })
      for (const p of pixels) wall[p.y * width + p.x] = 1
    }
    switch (op) {
      case 'lw': {
        const v = ints(4, 'x1 y1 x2 y2')
        if (!v) break
        const px = linePixels(v[0], v[1], v[2], v[3], { width, height })
        if (!px) error(line, `"lw ${v.join(' ')}" is diagonal; wall lines must be horizontal or vertical`)
        else {
          const length = Math.abs(v[2] - v[0]) + Math.abs(v[3] - v[1])
          // Off-grid examples: every pixel of a short line, else its first and last (end exclusive).
          const ends = [{ x: v[0], y: v[1] }, { x: v[2] - Math.sign(v[2] - v[0]), y: v[3] - Math.sign(v[3] - v[1]) }]
          const candidates = length <= 4 * MAX_TRACK_SIDE ? linePixels(v[0], v[1], v[2], v[3])! : ends
          const examples = candidates.filter((p) => !onGrid(p.x, p.y))
          drawWalls(px, examples, length - px.length, `"lw ${v.join(' ')}"`)
        }
        break
      }
      case 'hc': {
        if (args.length !== 4) {
          error(line, `"hc" takes 4 arguments (cx cy r q), got ${args.length}`)
          break
        }
        const bad = args.slice(0, 3).find((a) => !INT.test(a))
        const long = args.slice(0, 3).find(tooLong)
        if (bad !== undefined) error(line, `"hc" centre and radius must be whole numbers, got ${quote(bad)}`)
        else if (long !== undefined) error(line, `"hc" argument ${quote(long)} is too large for any track (at most ${MAX_DIGITS} digits)`)
        else if (Number(args[2]) < 0) error(line, `"hc" radius must not be negative, got ${args[2]}`)
        // A half circle spans 2r + 1 cells, so a radius over the largest side never fits a grid.
        else if (Number(args[2]) > MAX_TRACK_SIDE) error(line, `"hc" radius ${args[2]} does not fit any track (at most ${MAX_TRACK_SIDE})`)
        else if (!['e', 'n', 'w', 's'].includes(args[3])) error(line, `"hc" half must be one of e, n, w, s, got ${quote(args[3])}`)
        else {
          const px = halfCirclePixels(Number(args[0]), Number(args[1]), Number(args[2]), args[3] as HalfCircle)
          const off = px.filter((p) => !onGrid(p.x, p.y))
          drawWalls(
            px.filter((p) => onGrid(p.x, p.y)),
            off,
            off.length,
            `"hc ${args.join(' ')}"`,
          )
        }
        break
      }
      case 'r': {
        const v = ints(2, 'x y')
        if (!v) break
        if (!onGrid(v[0], v[1])) error(line, `start (${v[0]},${v[1]}) is off the ${grid}`)
        else if (start) error(line, `a second start; the first is (${start.x},${start.y}) on line ${start.line}`)
        else start = { x: v[0], y: v[1], line }
        break
      }
      case 'g': {
        const v = ints('pairs', '')
        if (!v) break
        for (let k = 0; k < v.length; k += 2) {
          if (!onGrid(v[k], v[k + 1])) error(line, `goal (${v[k]},${v[k + 1]}) is off the ${grid}`)
          else goals.push({ x: v[k], y: v[k + 1], line })
        }
        break
      }
      default:
        error(line, `unknown primitive ${quote(op)} (expected lw, hc, r or g)`)
    }
  }
  // Compose the grid (best effort when lines were bad, so the editor can still show it);
  // overlaps are reported on the entry that loses.
  const track: Track = { width, height, cells: new Uint8Array(width * height), name: opts.name, lines: new Map() }
  const lineMap = track.lines as Map<number, number>
  track.cells.set(wall)
  if (start) {
    const i = start.y * width + start.x
    if (wall[i]) error(start.line, `start (${start.x},${start.y}) is on a wall`)
    track.cells[i] = START
    lineMap.set(i, start.line)
  }
  for (const g of goals) {
    const i = g.y * width + g.x
    if (wall[i]) error(g.line, `goal (${g.x},${g.y}) is on a wall`)
    else if (start && start.x === g.x && start.y === g.y) error(g.line, `goal (${g.x},${g.y}) is the start`)
    else {
      track.cells[i] = GOAL
      lineMap.set(i, g.line)
    }
  }
  if (!start) error(lastLine, 'no start: the file has no "r x y" entry')
  if (goals.length === 0) error(lastLine, 'no goal: the file has no "g x y …" entry')
  // Reachability etc. only makes sense once start and goals are in place.
  if (!problems.some((p) => p.severity === 'error')) problems.push(...validateTrack(track))
  // Line order, so the strict parser reports the earliest problem first.
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
  return { track, problems }
}

/** The strict loader: parses the seed format and throws TrackFormatError on the first error. */
export function parseTrackFile(text: string, opts: TrackFileOptions = {}): Track {
  const { track, problems } = readTrackFile(text, opts)
  throwOnErrors(problems)
  return track!
}

/** Throws TrackFormatError with the first of validateTrack's errors, if any (envs call this). */
export function assertValidTrack(t: Track): void {
  throwOnErrors(validateTrack(t))
}

function throwOnErrors(problems: TrackProblem[]): void {
  const errors = problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) throw new TrackFormatError(errors[0].message, errors[0].line, problems)
}

/**
 * Everything wrong with a track as a whole: missing or doubled start, no goal,
 * goals the racer cannot reach (4 moves, walls block, the grid edge blocks).
 * Cheap enough (one BFS) for the editor to call on every edit.
 */
export function validateTrack(t: Track): TrackProblem[] {
  const problems: TrackProblem[] = []
  const at = (i: number): string => `(${i % t.width},${Math.floor(i / t.width)})`
  const lineOf = (i: number): { line?: number } => {
    const line = t.lines?.get(i)
    return line === undefined ? {} : { line }
  }
  if (!Number.isInteger(t.width) || !Number.isInteger(t.height) || t.width < 1 || t.height < 1 || t.width > MAX_TRACK_SIDE || t.height > MAX_TRACK_SIDE)
    return [{ severity: 'error', message: `track size ${t.width}×${t.height} is outside 1…${MAX_TRACK_SIDE}` }]
  if (t.cells.length !== t.width * t.height)
    return [{ severity: 'error', message: `track has ${t.cells.length} cells, expected ${t.width}×${t.height}` }]
  const starts: number[] = []
  const goals: number[] = []
  t.cells.forEach((c, i) => {
    if (c === START) starts.push(i)
    else if (c === GOAL) goals.push(i)
    else if (c !== ROAD && c !== WALL) problems.push({ severity: 'error', message: `cell ${at(i)} has unknown code ${c}` })
  })
  if (starts.length === 0) problems.push({ severity: 'error', message: 'no start cell' })
  if (starts.length > 1) problems.push({ severity: 'error', message: `${starts.length} start cells (${starts.map(at).join(' ')}); a track has exactly one` })
  if (goals.length === 0) problems.push({ severity: 'error', message: 'no goal cell' })
  if (starts.length === 1 && goals.length > 0) {
    const { dist } = bfs(t, starts[0])
    for (const g of goals)
      if (dist[g] < 0) problems.push({ severity: 'error', message: `goal ${at(g)} cannot be reached from the start ${at(starts[0])}`, ...lineOf(g) })
  }
  return problems
}

// ---------------------------------------------------------------- writing

/**
 * The seed format: walls as `lw` runs (horizontal runs of two or more, then
 * the leftover pixels joined vertically), then `r`, then one `g` line.
 * Dimensions are not part of the format; read it back with the same width/height.
 */
export function serializeTrack(t: Track): string {
  const { width: W, height: H } = t
  const isWall = (x: number, y: number): boolean => t.cells[y * W + x] === WALL
  const covered = new Uint8Array(W * H)
  const entries: string[] = []
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; ) {
      let end = x
      while (end < W && isWall(end, y)) end++
      if (end - x >= 2) {
        entries.push(`lw ${x} ${y} ${end} ${y}`)
        covered.fill(1, y * W + x, y * W + end)
      }
      x = Math.max(end, x + 1)
    }
  }
  const lone = (x: number, y: number): boolean => isWall(x, y) && !covered[y * W + x]
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; ) {
      let end = y
      while (end < H && lone(x, end)) end++
      if (end > y) entries.push(`lw ${x} ${y} ${x} ${end}`)
      y = Math.max(end, y + 1)
    }
  }
  const start = findStart(t)
  if (start) entries.push(`r ${start.x} ${start.y}`)
  const goals = goalCells(t)
  if (goals.length > 0) entries.push(`g ${goals.map((g) => `${g.x} ${g.y}`).join(' ')}`)
  return `${entries.length}\n${entries.join('\n')}\n`
}

const ASCII: Record<number, string> = { [ROAD]: '.', [WALL]: '#', [START]: 'S', [GOAL]: 'G' }
const FROM_ASCII: Record<string, CellCode> = { '.': ROAD, '#': WALL, S: START, G: GOAL }

/** FORMAT.md's rendering: '#' wall, 'S' start, 'G' goal, '.' road; one row per y, y = 0 first. */
export function renderTrackAscii(t: Track): string {
  const rows: string[] = []
  for (let y = 0; y < t.height; y++) {
    let row = ''
    for (let x = 0; x < t.width; x++) row += ASCII[t.cells[y * t.width + x]] ?? '?'
    rows.push(row)
  }
  return rows.join('\n')
}

/** The inverse of renderTrackAscii (rows of '#', '.', 'S', 'G'); handy in tests and for pasted maps. */
export function trackFromAscii(ascii: string | string[], name?: string): Track {
  const rows = (Array.isArray(ascii) ? ascii : ascii.trim().split(/\r?\n/)).map((r) => r.trim())
  const width = rows[0]?.length ?? 0
  checkSize(width, rows.length)
  const t = emptyTrack(width, rows.length, name)
  rows.forEach((row, y) => {
    if (row.length !== width) throw new TrackFormatError(`row ${y} has ${row.length} cells, expected ${width}`, y + 1)
    for (let x = 0; x < width; x++) {
      const c = FROM_ASCII[row[x]]
      if (c === undefined) throw new TrackFormatError(`unknown cell "${row[x]}" at (${x},${y}); use # . S G`, y + 1)
      t.cells[y * width + x] = c
    }
  })
  return t
}

// ---------------------------------------------------------------- JSON

export const TRACK_JSON_FORMAT = 'quarkade-track'

const trackJsonSchema = z
  .strictObject({
    format: z.literal(TRACK_JSON_FORMAT),
    version: z.literal(1),
    name: z.string().optional(),
    width: z.number().int().min(1).max(MAX_TRACK_SIDE),
    height: z.number().int().min(1).max(MAX_TRACK_SIDE),
    rows: z.array(z.string().regex(/^[#.SG]*$/, 'rows may only hold # . S G')),
  })
  .refine((j) => j.rows.length === j.height, { message: 'rows must have one string per row (height)', path: ['rows'] })
  .refine((j) => j.rows.every((r) => r.length === j.width), { message: 'every row must be width cells long', path: ['rows'] })

export type TrackJson = z.infer<typeof trackJsonSchema>

/** A readable JSON form: the ASCII rows plus the size. */
export function trackToJSON(t: Track): TrackJson {
  return { format: TRACK_JSON_FORMAT, version: 1, ...(t.name ? { name: t.name } : {}), width: t.width, height: t.height, rows: renderTrackAscii(t).split('\n') }
}

/**
 * Reads trackToJSON's form. Throws TrackFormatError on a malformed object and,
 * unless `validate: false` (editor drafts), on validateTrack errors.
 */
export function trackFromJSON(json: unknown, opts: { validate?: boolean } = {}): Track {
  const r = trackJsonSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new TrackFormatError(`invalid track JSON at ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  const t = trackFromAscii(r.data.rows, r.data.name)
  if (opts.validate ?? true) throwOnErrors(validateTrack(t))
  return t
}

// ---------------------------------------------------------------- paths

/** The seed's actions as grid moves: 0 → y+1, 1 → x−1, 2 → y−1, 3 → x+1. */
export const MOVES: readonly Point[] = [
  { x: 0, y: 1 },
  { x: -1, y: 0 },
  { x: 0, y: -1 },
  { x: 1, y: 0 },
]

/**
 * next[cell * 4 + action] = the cell the racer ends in: itself when the move
 * hits a wall or leaves the grid. The env and BFS both step through it.
 */
export function transitionTable(t: Track): Int32Array {
  const { width: W, height: H } = t
  const next = new Int32Array(W * H * 4)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let a = 0; a < 4; a++) {
        const nx = x + MOVES[a].x
        const ny = y + MOVES[a].y
        const blocked = nx < 0 || ny < 0 || nx >= W || ny >= H || t.cells[ny * W + nx] === WALL
        next[(y * W + x) * 4 + a] = blocked ? y * W + x : ny * W + nx
      }
  return next
}

/** BFS from one cell: dist (−1 = unreachable) and, per cell, the action that first reached it. */
function bfs(t: Track, from: number, next = transitionTable(t)): { dist: Int32Array; via: Int8Array } {
  const dist = new Int32Array(t.cells.length).fill(-1)
  const via = new Int8Array(t.cells.length).fill(-1)
  const queue = new Int32Array(t.cells.length)
  let head = 0
  let tail = 0
  dist[from] = 0
  queue[tail++] = from
  while (head < tail) {
    const c = queue[head++]
    if (t.cells[c] === GOAL) continue // the episode ends there
    for (let a = 0; a < 4; a++) {
      const n = next[c * 4 + a]
      if (dist[n] < 0) {
        dist[n] = dist[c] + 1
        via[n] = a
        queue[tail++] = n
      }
    }
  }
  return { dist, via }
}

/** Fewest moves from the start to any goal (BFS, 4 moves), with one such path; null if none. */
export function shortestPath(t: Track): { steps: number; path: Point[]; actions: number[] } | null {
  const start = findStart(t)
  if (!start) return null
  const from = start.y * t.width + start.x
  const { dist, via } = bfs(t, from)
  let goal = -1
  t.cells.forEach((c, i) => {
    if (c === GOAL && dist[i] >= 0 && (goal < 0 || dist[i] < dist[goal])) goal = i
  })
  if (goal < 0) return null
  // Walk back from the goal, undoing the move that first reached each cell.
  const cells = [goal]
  const actions: number[] = []
  for (let c = goal; c !== from; ) {
    const a = via[c]
    c = (Math.floor(c / t.width) - MOVES[a].y) * t.width + (c % t.width) - MOVES[a].x
    cells.push(c)
    actions.push(a)
  }
  cells.reverse()
  actions.reverse()
  return { steps: dist[goal], path: cells.map((i) => ({ x: i % t.width, y: Math.floor(i / t.width) })), actions }
}

// ---------------------------------------------------------------- random tracks

export interface RandomTrackOptions {
  width?: number
  height?: number
  /** Walls knocked out after the maze is carved, as a fraction of its rooms: each makes a loop, so routes compete. */
  loops?: number
}

/**
 * A random valid track from a seed: a maze carved by depth-first search over the
 * rooms at odd (x, y), with some extra walls knocked out so that several routes
 * lead to the goal and only one is shortest. The start is the top-left room, the
 * goal the room farthest from it. Same seed and options → the same track.
 */
export function randomTrack(seed: number, opts: RandomTrackOptions = {}): Track {
  const width = opts.width ?? DEFAULT_TRACK_SIZE
  const height = opts.height ?? DEFAULT_TRACK_SIZE
  const loops = opts.loops ?? 0.15
  checkSize(width, height)
  if (width < 3 || height < 3) throw new TrackFormatError(`a random track needs at least 3×3 cells, got ${width}×${height}`)
  if (!(loops >= 0 && loops <= 1)) throw new TrackFormatError(`loops must be a fraction from 0 to 1, got ${loops}`)
  const rng = new Rng(seed)
  const t = emptyTrack(width, height, `random-${seed}`)
  t.cells.fill(WALL)
  const roomsX = (width - 1) >> 1
  const roomsY = (height - 1) >> 1
  const cell = (rx: number, ry: number): number => (2 * ry + 1) * width + 2 * rx + 1
  const seen = new Uint8Array(roomsX * roomsY)
  const stack = [0]
  seen[0] = 1
  t.cells[cell(0, 0)] = ROAD
  while (stack.length > 0) {
    const room = stack[stack.length - 1]
    const rx = room % roomsX
    const ry = Math.floor(room / roomsX)
    const open = MOVES.filter((m) => inRooms(rx + m.x, ry + m.y) && !seen[(ry + m.y) * roomsX + rx + m.x])
    if (open.length === 0) {
      stack.pop()
      continue
    }
    const m = open[rng.int(0, open.length)]
    const next = (ry + m.y) * roomsX + rx + m.x
    seen[next] = 1
    t.cells[cell(rx, ry) + m.y * width + m.x] = ROAD
    t.cells[cell(rx + m.x, ry + m.y)] = ROAD
    stack.push(next)
  }
  // Knock out walls between two rooms (never the outer ones) to make loops.
  const between: number[] = []
  for (let ry = 0; ry < roomsY; ry++)
    for (let rx = 0; rx < roomsX; rx++) {
      if (rx + 1 < roomsX && t.cells[cell(rx, ry) + 1] === WALL) between.push(cell(rx, ry) + 1)
      if (ry + 1 < roomsY && t.cells[cell(rx, ry) + width] === WALL) between.push(cell(rx, ry) + width)
    }
  for (let k = Math.round(loops * roomsX * roomsY); k > 0 && between.length > 0; k--) t.cells[between.splice(rng.int(0, between.length), 1)[0]] = ROAD
  t.cells[cell(0, 0)] = START
  const { dist } = bfs(t, cell(0, 0))
  let goal = cell(0, 0)
  dist.forEach((d, i) => {
    if (d > dist[goal]) goal = i
  })
  t.cells[goal] = GOAL
  return t

  function inRooms(rx: number, ry: number): boolean {
    return rx >= 0 && ry >= 0 && rx < roomsX && ry < roomsY
  }
}

// ---------------------------------------------------------------- variants

/** A new track whose cell (x, y) is the old cell at `from(x, y)`. */
function remap(t: Track, width: number, height: number, suffix: string, from: (x: number, y: number) => Point): Track {
  const out: Track = { width, height, cells: new Uint8Array(width * height), name: t.name ? `${t.name}_${suffix}` : undefined }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = from(x, y)
      out.cells[y * width + x] = t.cells[p.y * t.width + p.x]
    }
  return out
}

/** Mirror top to bottom (y → H−1−y). */
export const flipV = (t: Track): Track => remap(t, t.width, t.height, 'flipV', (x, y) => ({ x, y: t.height - 1 - y }))
/** Mirror left to right (x → W−1−x). */
export const flipH = (t: Track): Track => remap(t, t.width, t.height, 'flipH', (x, y) => ({ x: t.width - 1 - x, y }))
/** Quarter turn clockwise as drawn (row 0 on top): old (x, y) lands on (H−1−y, x). */
export const rotate90 = (t: Track): Track => remap(t, t.height, t.width, 'rot90', (x, y) => ({ x: y, y: t.height - 1 - x }))
export const rotate180 = (t: Track): Track => remap(t, t.width, t.height, 'rot180', (x, y) => ({ x: t.width - 1 - x, y: t.height - 1 - y }))
/** Quarter turn counter-clockwise as drawn: old (x, y) lands on (y, W−1−x). */
export const rotate270 = (t: Track): Track => remap(t, t.height, t.width, 'rot270', (x, y) => ({ x: t.width - 1 - y, y: x }))

export const VARIANTS = { flipV, flipH, rotate90, rotate180, rotate270 } as const
export type VariantName = keyof typeof VARIANTS
