/**
 * The seed project's tracks, embedded verbatim (resources/tracks/*.txt holds the
 * same files) so the renderer and trainer need no file system.
 *
 * track1 (shortest path 18) and track2 (15) are the two designs; track0_k are
 * the seed's generated variants of track1 and track1_k those of track2, in the
 * order SEED_VARIANT_ORDER (checked against our own transforms in the tests).
 * The track1_k files say 10 entries on their count line but hold 8; the parser
 * accepts a count larger than the entries for exactly that reason.
 */
import { parseTrackFile, type Track, type VariantName } from './track'

export const BUILTIN_TRACK_TEXT = {
  track1: "10\nlw 0 10 6 10\nlw 0 7 6 7\nlw 0 7 0 10\nlw 3 3 6 3\nlw 3 0 6 0\nlw 3 0 3 3\nhc 5 5 5 e\nhc 5 5 2 e\nr 1 9\ng 4 1 4 2",
  track2: "8\nlw 0 10 10 10\nlw 0 7 7 7\nlw 0 7 0 10\nlw 10 9 10 0\nlw 7 6 7 0\nlw 7 0 11 0\nr 1 9\ng 8 1 9 1",
  track0_1: "10\nlw 10 10 4 10\nlw 10 7 4 7\nlw 10 7 10 10\nlw 7 3 4 3\nlw 7 0 4 0\nlw 7 0 7 3\nhc 5 5 5 w\nhc 5 5 2 w\nr 9 9\ng 6 1 6 2",
  track0_2: "10\nlw 0 0 6 0\nlw 0 3 6 3\nlw 0 3 0 0\nlw 3 7 6 7\nlw 3 10 6 10\nlw 3 10 3 7\nhc 5 5 5 e\nhc 5 5 2 e\nr 1 1\ng 4 9 4 8",
  track0_3: "10\nlw 10 10 10 4\nlw 7 10 7 4\nlw 7 10 10 10\nlw 3 7 3 4\nlw 0 7 0 4\nlw 0 7 3 7\nhc 5 5 5 s\nhc 5 5 2 s\nr 9 9\ng 1 6 2 6\n",
  track0_4: "10\nlw 10 0 4 0\nlw 10 3 4 3\nlw 10 3 10 0\nlw 7 7 4 7\nlw 7 10 4 10\nlw 7 10 7 7\nhc 5 5 5 w\nhc 5 5 2 w\nr 9 1\ng 6 9 6 8\n",
  track0_5: "10\nlw 0 0 0 6\nlw 3 0 3 6\nlw 3 0 0 0\nlw 7 3 7 6\nlw 10 3 10 6\nlw 10 3 7 3\nhc 5 5 5 n\nhc 5 5 2 n\nr 1 1\ng 9 4 8 4\n",
  track1_1: "10\nlw 10 10 0 10\nlw 10 7 3 7\nlw 10 7 10 10\nlw 0 9 0 0\nlw 3 6 3 0\nlw 3 0 -1 0\nr 9 9\ng 2 1 1 1",
  track1_2: "10\nlw 0 0 10 0\nlw 0 3 7 3\nlw 0 3 0 0\nlw 10 1 10 10\nlw 7 4 7 10\nlw 7 10 11 10\nr 1 1\ng 8 9 9 9",
  track1_3: "10\nlw 10 10 10 0\nlw 7 10 7 3\nlw 7 10 10 10\nlw 9 0 0 0\nlw 6 3 0 3\nlw 0 3 0 -1\nr 9 9\ng 1 2 1 1\n",
  track1_4: "10\nlw 10 0 0 0\nlw 10 3 3 3\nlw 10 3 10 0\nlw 0 1 0 10\nlw 3 4 3 10\nlw 3 10 -1 10\nr 9 1\ng 2 9 1 9\n",
  track1_5: "10\nlw 0 0 0 10\nlw 3 0 3 7\nlw 3 0 0 0\nlw 1 10 10 10\nlw 4 7 10 7\nlw 10 7 10 11\nr 1 1\ng 9 8 9 9\n",
} as const

export type BuiltinTrackName = keyof typeof BUILTIN_TRACK_TEXT
export const BUILTIN_TRACK_NAMES = Object.keys(BUILTIN_TRACK_TEXT) as BuiltinTrackName[]

/** Which transform made the seed's <base>_k file, k = 1…5 (flips and rotations "as drawn", row 0 on top). */
export const SEED_VARIANT_ORDER: readonly VariantName[] = ['flipH', 'flipV', 'rotate270', 'rotate180', 'rotate90']

/** Shortest paths (BFS, 4 moves) FORMAT.md gives for the two designs; their variants keep them. */
export const BUILTIN_SHORTEST: Record<BuiltinTrackName, number> = Object.fromEntries(
  BUILTIN_TRACK_NAMES.map((n) => [n, n === 'track1' || n.startsWith('track0_') ? 18 : 15]),
) as Record<BuiltinTrackName, number>

const cache = new Map<string, Track>()

/** A built-in track, parsed once (11×11). Returns a fresh copy each call, so callers may edit it. */
export function builtinTrack(name: BuiltinTrackName): Track {
  let t = cache.get(name)
  if (!t) {
    const text = BUILTIN_TRACK_TEXT[name]
    if (text === undefined) throw new Error(`unknown built-in track "${name}" (known: ${BUILTIN_TRACK_NAMES.join(', ')})`)
    t = parseTrackFile(text, { name })
    cache.set(name, t)
  }
  return { width: t.width, height: t.height, cells: t.cells.slice(), name: t.name }
}
