import { describe, expect, it } from 'vitest'
import {
  emptyTrack,
  findStart,
  flipH,
  flipV,
  GOAL,
  goalCells,
  halfCirclePixels,
  linePixels,
  parseTrackFile,
  readTrackFile,
  renderTrackAscii,
  rotate180,
  rotate270,
  rotate90,
  ROAD,
  serializeTrack,
  shortestPath,
  START,
  TrackFormatError,
  trackFromAscii,
  trackFromJSON,
  tracksEqual,
  trackToJSON,
  validateTrack,
  VARIANTS,
  WALL,
  type Point,
  type Track,
} from '../../src/core/racer/track'
import { BUILTIN_SHORTEST, BUILTIN_TRACK_NAMES, BUILTIN_TRACK_TEXT, builtinTrack, SEED_VARIANT_ORDER } from '../../src/core/racer/builtin-tracks'
import { Rng } from '../../src/core/rng'

/** FORMAT.md's renderings, copied verbatim. */
const TRACK1 = `
...#####...
...#G...#..
...#G....#.
...####...#
.......#..#
.......#..#
.......#..#
#######...#
#........#.
#S......#..
########...`.trim()
const TRACK2 = `
.......####
.......#GG#
.......#..#
.......#..#
.......#..#
.......#..#
.......#..#
#######...#
#.........#
#S........#
##########.`.trim()

// Transforms of a drawing written on strings, independently of track.ts.
const rowsOf = (ascii: string): string[] => ascii.split('\n')
const asciiFlipH = (a: string): string => rowsOf(a).map((r) => [...r].reverse().join('')).join('\n')
const asciiFlipV = (a: string): string => rowsOf(a).reverse().join('\n')
/** Clockwise as drawn: the new row k is old column k read bottom to top. */
const asciiCw = (a: string): string => {
  const rows = rowsOf(a)
  return [...rows[0]].map((_, k) => rows.map((r) => r[k]).reverse().join('')).join('\n')
}

const sortPts = (ps: Point[]): string[] => [...new Set(ps.map((p) => `${p.x},${p.y}`))].sort()
const wallsOf = (t: Track): string[] => {
  const out: Point[] = []
  t.cells.forEach((c, i) => c === WALL && out.push({ x: i % t.width, y: Math.floor(i / t.width) }))
  return sortPts(out)
}
/** A file of `entries` plus a start at (1,1) and a goal at (9,9) on an open 11×11 grid. */
const fileWith = (...entries: string[]): string => {
  const all = [...entries, 'r 1 1', 'g 9 9']
  return `${all.length}\n${all.join('\n')}\n`
}
/** The TrackFormatError a text raises (fails the test when it parses). */
function formatError(text: string, opts = {}): TrackFormatError {
  try {
    parseTrackFile(text, opts)
  } catch (e) {
    expect(e).toBeInstanceOf(TrackFormatError)
    return e as TrackFormatError
  }
  throw new Error(`expected a TrackFormatError for:\n${text}`)
}

describe('seed format primitives', () => {
  it('lw: end exclusive, stepping toward the end, horizontal and vertical', () => {
    expect(linePixels(3, 0, 6, 0)).toEqual([{ x: 3, y: 0 }, { x: 4, y: 0 }, { x: 5, y: 0 }])
    expect(linePixels(3, 0, -1, 0)).toEqual([{ x: 3, y: 0 }, { x: 2, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 0 }])
    expect(linePixels(7, 6, 7, 3)).toEqual([{ x: 7, y: 6 }, { x: 7, y: 5 }, { x: 7, y: 4 }])
    expect(linePixels(2, 2, 2, 2)).toEqual([])
    expect(linePixels(0, 0, 2, 2)).toBeNull()
    const t = parseTrackFile(fileWith('lw 3 0 -1 0', 'lw 10 4 10 2'))
    expect(wallsOf(t)).toEqual(sortPts([0, 1, 2, 3].map((x) => ({ x, y: 0 })).concat([{ x: 10, y: 4 }, { x: 10, y: 3 }])))
  })

  it('hc r=1: the quadrants exactly as FORMAT.md assigns them ([sic] Q2 (y,x), Q4 (−y,−x))', () => {
    // Worked by hand from FORMAT.md: first step Q1 (1,0) Q2 (0,1) Q3 (−1,0) Q4 (0,−1);
    // loop once: y=1, p=0 → p=3, x stays 1: Q1 (1,1) Q2 (−1,1) Q3 (−1,−1) Q4 (1,−1); x=y so no mirror.
    const Q1 = [{ x: 1, y: 0 }, { x: 1, y: 1 }]
    const Q2 = [{ x: 0, y: 1 }, { x: -1, y: 1 }]
    const Q3 = [{ x: -1, y: 0 }, { x: -1, y: -1 }]
    const Q4 = [{ x: 0, y: -1 }, { x: 1, y: -1 }]
    const at = (ps: Point[]): Point[] => ps.map((p) => ({ x: p.x + 5, y: p.y + 5 }))
    expect(sortPts(halfCirclePixels(5, 5, 1, 'e'))).toEqual(sortPts(at([...Q1, ...Q4])))
    expect(sortPts(halfCirclePixels(5, 5, 1, 'n'))).toEqual(sortPts(at([...Q1, ...Q2])))
    expect(sortPts(halfCirclePixels(5, 5, 1, 'w'))).toEqual(sortPts(at([...Q2, ...Q3])))
    expect(sortPts(halfCirclePixels(5, 5, 1, 's'))).toEqual(sortPts(at([...Q3, ...Q4])))
    // The quirk shows: the east half holds the −y point (0,−1) but not the +y point (0,1).
    for (const q of ['e', 'n', 'w', 's'] as const)
      expect(wallsOf(parseTrackFile(fileWith(`hc 5 5 1 ${q}`)))).toEqual(sortPts(halfCirclePixels(5, 5, 1, q)))
  })

  it('hc r=2 and r=0 by hand', () => {
    // r=2: first Q1 (2,0) Q2 (0,2) Q3 (−2,0) Q4 (0,−2); y=1, p=−1 → 2: Q1 (2,1),(1,2) Q4 (2,−1),(1,−2) …;
    // y=2, p>0 → x=1, p=5; x<y stops.
    expect(sortPts(halfCirclePixels(0, 0, 2, 'e'))).toEqual(sortPts([{ x: 2, y: 0 }, { x: 2, y: 1 }, { x: 1, y: 2 }, { x: 0, y: -2 }, { x: 2, y: -1 }, { x: 1, y: -2 }]))
    expect(sortPts(halfCirclePixels(0, 0, 2, 'w'))).toEqual(sortPts([{ x: 0, y: 2 }, { x: -2, y: 1 }, { x: -1, y: 2 }, { x: -2, y: 0 }, { x: -2, y: -1 }, { x: -1, y: -2 }]))
    // r=0 puts its single point in Q1 only: e and n draw it, w and s draw nothing.
    expect(halfCirclePixels(4, 4, 0, 'e')).toEqual([{ x: 4, y: 4 }])
    expect(halfCirclePixels(4, 4, 0, 'n')).toEqual([{ x: 4, y: 4 }])
    expect(halfCirclePixels(4, 4, 0, 'w')).toEqual([])
    expect(readTrackFile(fileWith('hc 4 4 0 s')).problems).toEqual([{ severity: 'warning', line: 2, message: '"hc 4 4 0 s" draws no pixels' }])
  })

  it('r and g: the start and every goal pair; blank lines and CRLF are fine', () => {
    const t = parseTrackFile('3\r\nlw 0 5 4 5\r\n\r\nr 2 3\r\ng 8 1 9 1 9 2\r\n')
    expect(findStart(t)).toEqual({ x: 2, y: 3 })
    expect(goalCells(t)).toEqual([{ x: 8, y: 1 }, { x: 9, y: 1 }, { x: 9, y: 2 }])
    expect(t.cells[3 * 11 + 2]).toBe(START)
    expect(t.cells[1 * 11 + 8]).toBe(GOAL)
  })

  it('reads other grid sizes from the options', () => {
    const t = parseTrackFile('3\nlw 0 1 30 1\nr 0 0\ng 39 19', { width: 40, height: 20 })
    expect([t.width, t.height]).toEqual([40, 20])
    expect(shortestPath(t)?.steps).toBe(39 + 19)
    expect(() => parseTrackFile('2\nr 0 0\ng 39 19')).toThrow(/goal \(39,19\) is off the 11×11 grid/)
  })
})

describe('built-in tracks', () => {
  it('track1 and track2 render cell for cell as FORMAT.md shows', () => {
    expect(renderTrackAscii(builtinTrack('track1'))).toBe(TRACK1)
    expect(renderTrackAscii(builtinTrack('track2'))).toBe(TRACK2)
  })

  it('shortest paths: 18 for track1, 15 for track2, and their variants keep them', () => {
    expect(shortestPath(builtinTrack('track1'))?.steps).toBe(18)
    expect(shortestPath(builtinTrack('track2'))?.steps).toBe(15)
    for (const name of BUILTIN_TRACK_NAMES) expect(shortestPath(builtinTrack(name))?.steps, name).toBe(BUILTIN_SHORTEST[name])
  })

  it('the path BFS returns is a legal walk from the start to a goal', () => {
    for (const name of BUILTIN_TRACK_NAMES) {
      const t = builtinTrack(name)
      const sp = shortestPath(t)!
      expect(sp.path).toHaveLength(sp.steps + 1)
      expect(sp.actions).toHaveLength(sp.steps)
      expect(sp.path[0]).toEqual(findStart(t))
      expect(t.cells[sp.path[sp.steps].y * t.width + sp.path[sp.steps].x]).toBe(GOAL)
      const d = [[0, 1], [-1, 0], [0, -1], [1, 0]]
      sp.actions.forEach((a, k) => {
        expect(sp.path[k + 1]).toEqual({ x: sp.path[k].x + d[a][0], y: sp.path[k].y + d[a][1] })
        expect(t.cells[sp.path[k + 1].y * t.width + sp.path[k + 1].x]).not.toBe(WALL)
      })
    }
  })

  it("the seed's track0_k / track1_k files are our flips and rotations of track1 / track2", () => {
    expect(SEED_VARIANT_ORDER).toEqual(['flipH', 'flipV', 'rotate270', 'rotate180', 'rotate90'])
    for (const [base, prefix] of [['track1', 'track0_'], ['track2', 'track1_']] as const) {
      const t = builtinTrack(base)
      SEED_VARIANT_ORDER.forEach((v, k) => {
        const file = builtinTrack(`${prefix}${k + 1}` as never)
        expect(tracksEqual(VARIANTS[v](t), file), `${prefix}${k + 1} = ${v}(${base})`).toBe(true)
      })
    }
  })

  it('variants render as the flipped / rotated drawing', () => {
    for (const [name, ascii] of [['track1', TRACK1], ['track2', TRACK2]] as const) {
      const t = builtinTrack(name)
      expect(renderTrackAscii(flipH(t))).toBe(asciiFlipH(ascii))
      expect(renderTrackAscii(flipV(t))).toBe(asciiFlipV(ascii))
      expect(renderTrackAscii(rotate90(t))).toBe(asciiCw(ascii))
      expect(renderTrackAscii(rotate180(t))).toBe(asciiCw(asciiCw(ascii)))
      expect(renderTrackAscii(rotate270(t))).toBe(asciiCw(asciiCw(asciiCw(ascii))))
    }
  })

  it('builtinTrack hands out independent copies', () => {
    const a = builtinTrack('track1')
    a.cells[0] = WALL
    expect(builtinTrack('track1').cells[0]).toBe(ROAD)
  })
})

describe('variants on any track', () => {
  const odd = trackFromAscii(['S..#', '.#..', '...G'])

  it('rotations of a non-square track swap its size and compose like rotations', () => {
    expect([rotate90(odd).width, rotate90(odd).height]).toEqual([3, 4])
    expect(renderTrackAscii(rotate90(odd))).toBe(asciiCw(renderTrackAscii(odd)))
    expect(tracksEqual(rotate90(rotate90(odd)), rotate180(odd))).toBe(true)
    expect(tracksEqual(rotate90(rotate270(odd)), odd)).toBe(true)
    expect(tracksEqual(flipH(flipV(odd)), rotate180(odd))).toBe(true)
    expect(tracksEqual(flipV(flipV(odd)), odd)).toBe(true)
    for (const f of Object.values(VARIANTS)) expect(shortestPath(f(odd))?.steps).toBe(shortestPath(odd)?.steps)
  })
})

describe('round trips', () => {
  it('every seed file: parse → serialize → parse gives the same track', () => {
    for (const name of BUILTIN_TRACK_NAMES) {
      const t = parseTrackFile(BUILTIN_TRACK_TEXT[name])
      const again = parseTrackFile(serializeTrack(t))
      expect(renderTrackAscii(again), name).toBe(renderTrackAscii(t))
      expect(tracksEqual(again, t)).toBe(true)
      // Serializing is stable.
      expect(serializeTrack(again)).toBe(serializeTrack(t))
    }
  })

  it('serializes walls as lw runs with an exact count line', () => {
    const text = serializeTrack(builtinTrack('track2'))
    const lines = text.trim().split('\n')
    expect(Number(lines[0])).toBe(lines.length - 1)
    expect(lines.slice(1).every((l) => /^(lw -?\d+ -?\d+ -?\d+ -?\d+|r \d+ \d+|g( \d+ \d+)+)$/.test(l))).toBe(true)
    expect(lines).toContain('lw 0 10 10 10')
    expect(lines).toContain('r 1 9')
    expect(lines).toContain('g 8 1 9 1')
  })

  it('random tracks of several sizes (up to 64×64) survive serialize → parse cell for cell', () => {
    const rng = new Rng(42)
    for (const [W, H] of [[11, 11], [1, 5], [7, 3], [64, 64], [40, 17]]) {
      for (let rep = 0; rep < 5; rep++) {
        const t = emptyTrack(W, H)
        for (let i = 0; i < t.cells.length; i++) t.cells[i] = rng.random() < 0.35 ? WALL : ROAD
        const cells = Array.from(t.cells.keys())
        const s = cells.splice(rng.int(0, cells.length), 1)[0]
        const g = cells.splice(rng.int(0, cells.length), 1)[0]
        t.cells[s] = START
        t.cells[g] = GOAL
        // Reachability is not the point here, so read without the strict check.
        const back = readTrackFile(serializeTrack(t), { width: W, height: H })
        expect(back.problems.filter((p) => !p.message.includes('cannot be reached'))).toEqual([])
        expect(renderTrackAscii(back.track!)).toBe(renderTrackAscii(t))
      }
    }
  })

  it('JSON: toJSON / fromJSON round-trip and reject malformed objects', () => {
    const t = builtinTrack('track1')
    const json = JSON.parse(JSON.stringify(trackToJSON(t)))
    expect(json.rows).toEqual(TRACK1.split('\n'))
    expect(json).toMatchObject({ format: 'quarkade-track', version: 1, name: 'track1', width: 11, height: 11 })
    const back = trackFromJSON(json)
    expect(tracksEqual(back, t)).toBe(true)
    expect(back.name).toBe('track1')
    expect(() => trackFromJSON({ ...json, rows: json.rows.slice(1) })).toThrow(/rows/)
    expect(() => trackFromJSON({ ...json, rows: ['X'.repeat(11), ...json.rows.slice(1)] })).toThrow(/# \. S G/)
    expect(() => trackFromJSON({ ...json, width: 0 })).toThrow(/width/)
    expect(() => trackFromJSON({ ...json, extra: 1 })).toThrow(TrackFormatError)
    // Semantic checks unless asked not to (editor drafts).
    const noStart = { ...json, rows: json.rows.map((r: string) => r.replace('S', '.')) }
    expect(() => trackFromJSON(noStart)).toThrow(/no start/)
    expect(findStart(trackFromJSON(noStart, { validate: false }))).toBeNull()
  })
})

describe('malformed files name the line and the problem', () => {
  const cases: [string, string, number, RegExp][] = [
    ['unknown primitive', fileWith('lw 0 0 3 0', 'zz 1 2'), 3, /unknown primitive "zz"/],
    ['wrong arg count', fileWith('lw 1 2 3'), 2, /"lw" takes 4 arguments/],
    ['non-integer', fileWith('lw 1 2 3.5 2'), 2, /whole numbers, got "3\.5"/],
    ['non-integer hc', fileWith('hc 5 x 2 e'), 2, /whole numbers, got "x"/],
    ['hc half', fileWith('hc 5 5 2 q'), 2, /one of e, n, w, s, got "q"/],
    ['hc arg count', fileWith('hc 5 5 2'), 2, /"hc" takes 4 arguments/],
    ['negative radius', fileWith('hc 5 5 -2 e'), 2, /radius must not be negative/],
    ['diagonal wall', fileWith('lw 0 0 3 3'), 2, /diagonal/],
    ['wall pixel off the grid', fileWith('lw 3 0 -2 0'), 2, /wall pixel off the 11×11 grid: \(-1,0\)/],
    ['wall row off the grid', fileWith('lw 0 11 2 11'), 2, /off the 11×11 grid: \(0,11\) \(1,11\)/],
    ['half circle off the grid', fileWith('hc 9 5 3 e'), 2, /"hc 9 5 3 e" draws wall pixels off the 11×11 grid/],
    ['start off the grid', '2\nr 11 0\ng 9 9', 2, /start \(11,0\) is off the 11×11 grid/],
    ['goal off the grid', '2\nr 1 1\ng 9 9 -1 3', 3, /goal \(-1,3\) is off/],
    ['odd goal list', '2\nr 1 1\ng 9 9 3', 3, /one or more x y pairs/],
    ['no start', '1\ng 9 9\n', 2, /no start/],
    ['no goal', '2\nlw 0 0 2 0\nr 1 1', 3, /no goal/],
    ['two starts', '3\nr 1 1\nr 2 2\ng 9 9', 3, /second start; the first is \(1,1\) on line 2/],
    ['start on a wall', '3\nlw 0 1 5 1\nr 1 1\ng 9 9', 3, /start \(1,1\) is on a wall/],
    ['goal on a wall', '3\nlw 0 9 11 9\nr 1 1\ng 9 9', 4, /goal \(9,9\) is on a wall/],
    ['goal on the start', '2\nr 1 1\ng 1 1', 3, /is the start/],
    ['more entries than the count', '2\nlw 0 0 2 0\nr 1 1\ng 9 9', 4, /count line \(line 1\) says 2 entries but there are 3/],
    ['count line not a number', 'ten\nr 1 1\ng 9 9', 1, /first line must be the number of entries/],
    ['empty file', '\n\n', 1, /empty/],
    ['unreachable goal', fileWith('lw 8 8 11 8', 'lw 8 8 8 11'), 5, /goal \(9,9\) cannot be reached from the start \(1,1\)/],
  ]
  for (const [what, text, line, problem] of cases)
    it(`${what} → line ${line}`, () => {
      const e = formatError(text)
      expect(e.line).toBe(line)
      expect(e.problem).toMatch(problem)
      expect(e.message).toBe(`line ${line}: ${e.problem}`)
    })

  it('an exclusive end one past any edge is fine', () => {
    for (const entry of ['lw 3 0 -1 0', 'lw 7 10 11 10', 'lw 0 3 0 -1', 'lw 10 7 10 11'])
      expect(readTrackFile(fileWith(entry)).problems, entry).toEqual([])
  })

  it('fewer entries than the count is accepted (the seed writes 10 for 8 entries in track1_k)', () => {
    expect(readTrackFile(BUILTIN_TRACK_TEXT.track1_1).problems).toEqual([])
    expect(readTrackFile('9\nr 1 1\ng 9 9').problems).toEqual([])
  })

  it('readTrackFile lists every problem at once, in line order, for the editor', () => {
    const { problems } = readTrackFile('4\nfoo\nlw 0 0 1\nr 20 1\ng 9 9')
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5])
    expect(problems.at(-1)!.message).toMatch(/no start/)
    // The strict parser names the earliest line, even when a later problem was found first.
    const e = formatError('1\nzz\nr 1 1\ng 9 9')
    expect([e.line, e.problem]).toEqual([2, 'unknown primitive "zz" (expected lw, hc, r or g)'])
    expect(e.problems.map((p) => p.line)).toEqual([2, 3])
  })
})

describe('validateTrack', () => {
  it('accepts every built-in track', () => {
    for (const name of BUILTIN_TRACK_NAMES) expect(validateTrack(builtinTrack(name))).toEqual([])
  })

  it('reports missing or doubled starts, missing goals and unreachable goals', () => {
    expect(validateTrack(trackFromAscii(['...', '..G'])).map((p) => p.message)).toEqual(['no start cell'])
    expect(validateTrack(trackFromAscii(['S.S', '..G'])).map((p) => p.message)).toEqual(['2 start cells ((0,0) (2,0)); a track has exactly one'])
    expect(validateTrack(trackFromAscii(['S..', '...'])).map((p) => p.message)).toEqual(['no goal cell'])
    const walled = trackFromAscii(['S.#G', '..#G'])
    expect(validateTrack(walled)).toEqual([
      { severity: 'error', message: 'goal (3,0) cannot be reached from the start (0,0)' },
      { severity: 'error', message: 'goal (3,1) cannot be reached from the start (0,0)' },
    ])
    expect(shortestPath(walled)).toBeNull()
  })
})
