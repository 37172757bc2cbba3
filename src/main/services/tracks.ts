/**
 * The track library: the seed's built-in tracks plus the user's own, stored in
 * SQLite as validated JSON. A track that fails validation is never saved.
 */
import { BUILTIN_TRACK_NAMES, builtinTrack, type BuiltinTrackName } from '../../core/racer/builtin-tracks'
import { shortestPath, trackFromJSON, trackToJSON, type Track, type TrackJson } from '../../core/racer/track'
import type { TrackInfo } from '../../shared/api'
import type { RunStore } from './run-store'

const NAME = /^[\w][\w .()+-]{0,63}$/

function info(track: Track, name: string, builtin: boolean, updatedAt: number | null): TrackInfo {
  return { name, builtin, width: track.width, height: track.height, shortest: shortestPath(track)?.steps ?? null, updatedAt }
}

export class TrackLibrary {
  /** Without a store (argument checking before any file is written) only built-ins resolve. */
  constructor(private readonly store: RunStore | null) {}

  private get db(): RunStore['db'] {
    if (!this.store) throw new Error('the track library is not open')
    return this.store.db
  }

  list(): TrackInfo[] {
    const builtins = BUILTIN_TRACK_NAMES.map((n) => info(builtinTrack(n), n, true, null))
    const rows = this.db.prepare('SELECT name, json, updated_at FROM tracks ORDER BY name').all() as { name: string; json: string; updated_at: number }[]
    return [...builtins, ...rows.map((r) => info(trackFromJSON(JSON.parse(r.json), { validate: false }), r.name, false, r.updated_at))]
  }

  get(name: string): TrackJson {
    if ((BUILTIN_TRACK_NAMES as string[]).includes(name)) return { ...trackToJSON(builtinTrack(name as BuiltinTrackName)), name }
    const row = this.store?.db.prepare('SELECT json FROM tracks WHERE name = ?').get(name) as { json: string } | undefined
    if (!row) throw new Error(`no track named "${name}" (built-in: ${BUILTIN_TRACK_NAMES.slice(0, 2).join(', ')}, …; see the track library)`)
    return JSON.parse(row.json) as TrackJson
  }

  /** Validates (start, goal, reachability, size) and saves; throws naming the problem, saving nothing. */
  save(json: unknown, overwrite = false): TrackInfo {
    const track = trackFromJSON(json, { validate: true })
    const name = track.name?.trim() ?? ''
    if (!NAME.test(name)) throw new Error(`track name "${name}" must be 1–64 letters, digits, spaces or . ( ) + - _`)
    if ((BUILTIN_TRACK_NAMES as string[]).includes(name)) throw new Error(`"${name}" is a built-in track; save yours under another name`)
    const exists = this.db.prepare('SELECT 1 FROM tracks WHERE name = ?').get(name)
    if (exists && !overwrite) throw new Error(`a track named "${name}" already exists`)
    const now = Date.now()
    this.db
      .prepare(
        `INSERT INTO tracks (name, json, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify({ ...trackToJSON(track), name }), now, now)
    return info(track, name, false, now)
  }

  delete(name: string): void {
    if ((BUILTIN_TRACK_NAMES as string[]).includes(name)) throw new Error(`"${name}" is a built-in track and cannot be deleted`)
    const r = this.db.prepare('DELETE FROM tracks WHERE name = ?').run(name)
    if (r.changes === 0) throw new Error(`no track named "${name}"`)
  }

  /** For run configs: a name from the library, or a track in JSON form (validated). */
  resolve(track: string | Record<string, unknown>): TrackJson {
    if (typeof track === 'string') return { ...trackToJSON(trackFromJSON(this.get(track), { validate: true })), name: track }
    const t = trackFromJSON(track, { validate: true })
    return { ...trackToJSON(t), name: t.name ?? 'custom track' }
  }
}
