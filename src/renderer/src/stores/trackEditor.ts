/**
 * The track editor's document: the draft track (size and cells), its name and
 * where it came from, a real undo/redo history (one entry per stroke or
 * command), the current tool, live validation with the BFS shortest path, and
 * import / save. Lives in a store so a draft survives switching views.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  DEFAULT_TRACK_SIZE,
  emptyTrack,
  GOAL,
  MAX_TRACK_SIDE,
  readTrackFile,
  ROAD,
  shortestPath,
  START,
  trackFromJSON,
  trackToJSON,
  validateTrack,
  VARIANTS,
  WALL,
  type CellCode,
  type Track,
  type TrackProblem,
  type VariantName,
} from '../../../core/racer/track'
import { api } from '../api'
import { friendlyProblem, unreachableGoals } from '../worlds/racer/racer'
import { isBuiltinTrack, useTracksStore } from './tracks'

export type Tool = 'brush' | 'line' | 'circle' | 'eraser' | 'fill' | 'start' | 'goal'

export const TOOLS: readonly { id: Tool; label: string; key: string; hint: string }[] = [
  { id: 'brush', label: 'Brush', key: 'B', hint: 'Drag to paint walls (right button: road).' },
  { id: 'line', label: 'Line', key: 'L', hint: 'Drag a straight wall line — the file format’s lw (right button: road).' },
  { id: 'circle', label: 'Half circle', key: 'C', hint: 'Press on the centre and drag toward the side to keep; the drag length is the radius — the format’s hc.' },
  { id: 'eraser', label: 'Eraser', key: 'E', hint: 'Drag to turn cells back into road (also clears start and goals).' },
  { id: 'fill', label: 'Fill', key: 'F', hint: 'Click to flood-fill the connected area with wall (right button: road).' },
  { id: 'start', label: 'Start', key: 'S', hint: 'Click to place the start; there is exactly one.' },
  { id: 'goal', label: 'Goal', key: 'G', hint: 'Click or drag to place goals (as many as you like); click a goal to remove it.' },
]

interface Snapshot {
  width: number
  height: number
  cells: Uint8Array
}

export interface ImportState {
  fileName: string
  kind: 'txt' | 'json'
  text: string
  width: number
  height: number
  problems: TrackProblem[]
  error: string | null
}

const HISTORY_LIMIT = 300

/** FNV-1a over the size, name and cells: cheap "has anything changed since the save". */
function fingerprint(width: number, height: number, cells: Uint8Array, name: string): string {
  let h = 0x811c9dc5
  const mix = (b: number): void => {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  mix(width)
  mix(height)
  for (let i = 0; i < cells.length; i++) mix(cells[i])
  for (let i = 0; i < name.length; i++) mix(name.charCodeAt(i) & 0xff)
  return `${width}x${height}:${cells.length}:${h.toString(16)}:${name.length}`
}

export const useTrackEditorStore = defineStore('trackEditor', () => {
  const tracks = useTracksStore()

  const width = ref(DEFAULT_TRACK_SIZE)
  const height = ref(DEFAULT_TRACK_SIZE)
  const cells = shallowRef<Uint8Array>(new Uint8Array(DEFAULT_TRACK_SIZE * DEFAULT_TRACK_SIZE))
  /** Ticks on every change of the cells (they are mutated in place). */
  const version = ref(0)
  const name = ref('')
  /** The library track this draft was opened from (null: new, imported or duplicated). */
  const source = ref<{ name: string; builtin: boolean } | null>(null)
  const savedPrint = ref(fingerprint(width.value, height.value, cells.value, ''))
  const tool = ref<Tool>('brush')
  const saveError = ref<string | null>(null)
  const saving = ref(false)
  const importState = ref<ImportState | null>(null)
  /** A track someone asked to open (e.g. from the Train form) while this draft had unsaved changes. */
  const pendingOpen = ref<string | null>(null)

  const undoStack: Snapshot[] = []
  const redoStack: Snapshot[] = []
  const undoCount = ref(0)
  const redoCount = ref(0)
  let stroke: Snapshot | null = null
  let strokeChanged = false

  const readOnly = computed(() => !!source.value?.builtin)
  const track = computed<Track>(() => {
    void version.value
    return { width: width.value, height: height.value, cells: cells.value, name: name.value.trim() || undefined }
  })
  const problems = computed(() => validateTrack(track.value))
  const messages = computed(() => problems.value.map(friendlyProblem))
  const unreachable = computed(() => unreachableGoals(problems.value))
  const shortest = computed(() => shortestPath(track.value))
  const valid = computed(() => !problems.value.some((p) => p.severity === 'error'))
  const dirty = computed(() => {
    void version.value
    return fingerprint(width.value, height.value, cells.value, name.value.trim()) !== savedPrint.value
  })
  const counts = computed(() => {
    void version.value
    let walls = 0
    let goals = 0
    for (const c of cells.value) {
      if (c === WALL) walls++
      else if (c === GOAL) goals++
    }
    return { walls, goals, road: cells.value.length - walls }
  })

  const snapshot = (): Snapshot => ({ width: width.value, height: height.value, cells: cells.value.slice() })
  function restore(s: Snapshot): void {
    width.value = s.width
    height.value = s.height
    cells.value = s.cells.slice()
    version.value++
  }
  function pushUndo(s: Snapshot): void {
    undoStack.push(s)
    if (undoStack.length > HISTORY_LIMIT) undoStack.shift()
    redoStack.length = 0
    undoCount.value = undoStack.length
    redoCount.value = 0
  }
  function resetHistory(): void {
    undoStack.length = 0
    redoStack.length = 0
    undoCount.value = 0
    redoCount.value = 0
    stroke = null
  }

  // Closing with unsaved work asks first: the browser shows its own prompt; the
  // desktop app's main process shows a dialog (will-prevent-unload).
  window.addEventListener('beforeunload', (e) => {
    if (dirty.value) e.preventDefault()
  })

  // ------------------------------------------------------------ editing

  /** Starts one undoable edit (a stroke); every change until endStroke() undoes together. */
  function beginStroke(): boolean {
    if (readOnly.value) return false
    stroke = snapshot()
    strokeChanged = false
    return true
  }

  function endStroke(): void {
    if (stroke && strokeChanged) pushUndo(stroke)
    stroke = null
    strokeChanged = false
  }

  /** Sets one cell (inside a stroke). A start placed elsewhere moves the start. */
  function setCell(x: number, y: number, code: CellCode): void {
    if (!stroke || x < 0 || y < 0 || x >= width.value || y >= height.value) return
    const i = y * width.value + x
    const c = cells.value
    if (c[i] === code) return
    if (code === START) for (let k = 0; k < c.length; k++) if (c[k] === START) c[k] = ROAD
    c[i] = code
    strokeChanged = true
    version.value++
  }

  function cellAt(x: number, y: number): CellCode | null {
    if (x < 0 || y < 0 || x >= width.value || y >= height.value) return null
    return cells.value[y * width.value + x] as CellCode
  }

  /** Flood-fills the 4-connected area of the clicked cell's kind with `code` (inside a stroke). */
  function fill(x: number, y: number, code: CellCode): void {
    const from = cellAt(x, y)
    if (from === null || from === code || !stroke) return
    const W = width.value
    const H = height.value
    const c = cells.value
    const stack = [y * W + x]
    const seen = new Uint8Array(c.length)
    seen[y * W + x] = 1
    while (stack.length) {
      const i = stack.pop()!
      c[i] = code
      const cx = i % W
      const cy = (i - cx) / W
      for (const [nx, ny] of [
        [cx + 1, cy],
        [cx - 1, cy],
        [cx, cy + 1],
        [cx, cy - 1],
      ]) {
        if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue
        const j = ny * W + nx
        if (!seen[j] && c[j] === from) {
          seen[j] = 1
          stack.push(j)
        }
      }
    }
    strokeChanged = true
    version.value++
  }

  /** One undoable command. */
  function command(fn: () => void): void {
    if (!beginStroke()) return
    const before = fingerprint(width.value, height.value, cells.value, '')
    fn()
    if (fingerprint(width.value, height.value, cells.value, '') !== before) strokeChanged = true
    endStroke()
  }

  /** New size, keeping the content at the top-left (cells outside are dropped). */
  function resize(w: number, h: number): string | null {
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 2 || h < 2 || w > MAX_TRACK_SIDE || h > MAX_TRACK_SIDE)
      return `Width and height must be whole numbers from 2 to ${MAX_TRACK_SIDE}.`
    if (w === width.value && h === height.value) return null
    command(() => {
      const next = new Uint8Array(w * h)
      for (let y = 0; y < Math.min(h, height.value); y++)
        for (let x = 0; x < Math.min(w, width.value); x++) next[y * w + x] = cells.value[y * width.value + x]
      width.value = w
      height.value = h
      cells.value = next
      version.value++
    })
    return null
  }

  /** Applies a flip / rotation to the draft (undoable). */
  function transform(variant: VariantName): void {
    command(() => {
      const t = VARIANTS[variant](track.value)
      width.value = t.width
      height.value = t.height
      cells.value = t.cells
      version.value++
    })
  }

  function clearAll(): void {
    command(() => {
      cells.value = new Uint8Array(width.value * height.value)
      version.value++
    })
  }

  function undo(): void {
    const s = undoStack.pop()
    if (!s || readOnly.value) {
      if (s) undoStack.push(s)
      return
    }
    redoStack.push(snapshot())
    restore(s)
    undoCount.value = undoStack.length
    redoCount.value = redoStack.length
  }

  function redo(): void {
    const s = redoStack.pop()
    if (!s || readOnly.value) {
      if (s) redoStack.push(s)
      return
    }
    undoStack.push(snapshot())
    restore(s)
    undoCount.value = undoStack.length
    redoCount.value = redoStack.length
  }

  // ------------------------------------------------------------ documents

  /** Replaces the draft. `dirty` marks it as not yet in the library (imports, copies, variants). */
  function load(t: Track, opts: { name?: string; source?: { name: string; builtin: boolean } | null; dirty?: boolean } = {}): void {
    width.value = t.width
    height.value = t.height
    cells.value = t.cells.slice()
    name.value = opts.name ?? t.name ?? ''
    source.value = opts.source ?? null
    version.value++
    resetHistory()
    saveError.value = null
    savedPrint.value = opts.dirty ? '' : fingerprint(t.width, t.height, cells.value, name.value.trim())
  }

  function newTrack(w = DEFAULT_TRACK_SIZE, h = DEFAULT_TRACK_SIZE): void {
    load(emptyTrack(w, h), { name: '', source: null })
    importState.value = null
  }

  /** Opens a library track (built-ins read-only). */
  async function open(libName: string): Promise<void> {
    const t = await tracks.get(libName)
    load(t, { name: libName, source: { name: libName, builtin: isBuiltinTrack(libName) } })
    importState.value = null
  }

  /**
   * Opens `libName` now if the draft has no unsaved changes (true); otherwise
   * leaves it in pendingOpen for the editor to confirm (also true: go to the editor).
   */
  async function requestOpen(libName: string): Promise<boolean> {
    if (dirty.value) {
      pendingOpen.value = libName
      return true
    }
    try {
      await open(libName)
      return true
    } catch {
      return false
    }
  }

  /** A copy of the draft under a new name, not yet saved (how built-ins are edited). */
  function duplicate(): void {
    const base = name.value.trim() || 'track'
    const taken = new Set(tracks.list.map((t) => t.name))
    let n = `${base}-copy`
    for (let k = 2; taken.has(n); k++) n = `${base}-copy${k}`
    load({ ...track.value, cells: cells.value.slice() }, { name: n, source: null, dirty: true })
  }

  async function save(opts: { overwrite?: boolean } = {}): Promise<boolean> {
    saveError.value = null
    const n = name.value.trim()
    if (!n) {
      saveError.value = 'Give the track a name before saving.'
      return false
    }
    if (readOnly.value) {
      saveError.value = 'Built-in tracks are read-only — duplicate it to edit.'
      return false
    }
    // The services refuse these too; say it in the editor's words.
    if (!valid.value) {
      saveError.value = `Can't save yet — ${messages.value[0]}.`
      return false
    }
    saving.value = true
    try {
      const overwrite = opts.overwrite ?? (source.value?.name === n && !source.value.builtin)
      await tracks.save({ ...trackToJSON(track.value), name: n }, overwrite)
      name.value = n
      source.value = { name: n, builtin: false }
      savedPrint.value = fingerprint(width.value, height.value, cells.value, n)
      return true
    } catch (err) {
      saveError.value = (err as Error).message
      return false
    } finally {
      saving.value = false
    }
  }

  /** Renames a library track: saved under the new name, then the old one deleted. */
  async function rename(from: string, to: string): Promise<string | null> {
    const target = to.trim()
    if (!target || target === from) return null
    try {
      const t = await tracks.get(from)
      await tracks.save({ ...trackToJSON(t), name: target }, false)
      await tracks.remove(from)
      if (source.value?.name === from) {
        const wasDirty = dirty.value
        source.value = { name: target, builtin: false }
        if (name.value.trim() === from) name.value = target
        if (!wasDirty) savedPrint.value = fingerprint(width.value, height.value, cells.value, name.value.trim())
      }
      if (tracks.trainTrack === from) tracks.trainTrack = target
      return null
    } catch (err) {
      return (err as Error).message
    }
  }

  async function remove(libName: string): Promise<void> {
    await tracks.remove(libName)
    // The draft stays on screen, but it is no longer in the library.
    if (source.value?.name === libName) {
      source.value = null
      savedPrint.value = ''
    }
  }

  // ------------------------------------------------------------ import / export

  const baseName = (fileName: string): string => fileName.replace(/\.[^.]+$/, '').replace(/_\d+x\d+$/, '')

  /** Reads a .txt (seed format) or .json track into the draft; nothing is saved. */
  function importFile(fileName: string, text: string): void {
    const kind: 'txt' | 'json' = /\.json$/i.test(fileName) || text.trimStart().startsWith('{') ? 'json' : 'txt'
    const dims = /(\d+)x(\d+)(?:\.\w+)?$/i.exec(fileName)
    const w = dims ? Number(dims[1]) : DEFAULT_TRACK_SIZE
    const h = dims ? Number(dims[2]) : DEFAULT_TRACK_SIZE
    importState.value = { fileName, kind, text, width: w, height: h, problems: [], error: null }
    if (kind === 'txt') rereadImport(w, h)
    else {
      try {
        const json = JSON.parse(text) as { name?: unknown }
        const t = trackFromJSON(json, { validate: false })
        load(t, { name: typeof json.name === 'string' ? json.name : baseName(fileName), source: null, dirty: true })
        importState.value.problems = validateTrack(t)
      } catch (err) {
        importState.value.error = (err as Error).message
      }
    }
  }

  /** Reads the imported .txt again at another size (the format does not record it). */
  function rereadImport(w: number, h: number): void {
    const st = importState.value
    if (!st || st.kind !== 'txt') return
    st.width = w
    st.height = h
    st.error = null
    try {
      const { track: t, problems: found } = readTrackFile(st.text, { width: w, height: h })
      st.problems = found
      if (t) load(t, { name: baseName(st.fileName), source: null, dirty: true })
    } catch (err) {
      st.problems = []
      st.error = (err as Error).message
    }
  }

  /** The five flips / rotations of the draft, named with the core's suffixes. */
  function variants(): { variant: VariantName; track: Track }[] {
    const base = { ...track.value, name: name.value.trim() || 'track' }
    return (Object.keys(VARIANTS) as VariantName[]).map((v) => ({ variant: v, track: VARIANTS[v](base) }))
  }

  return {
    width,
    height,
    cells,
    version,
    name,
    source,
    tool,
    saveError,
    saving,
    importState,
    pendingOpen,
    undoCount,
    redoCount,
    readOnly,
    track,
    problems,
    messages,
    unreachable,
    shortest,
    valid,
    dirty,
    counts,
    beginStroke,
    endStroke,
    setCell,
    cellAt,
    fill,
    resize,
    transform,
    clearAll,
    undo,
    redo,
    load,
    newTrack,
    open,
    requestOpen,
    duplicate,
    save,
    rename,
    remove,
    importFile,
    rereadImport,
    variants,
  }
})
