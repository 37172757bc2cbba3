/**
 * A shareable Compare view: the runs compared and the chart options, in the
 * address's hash — `#/runs?compare=3,5&smooth=0.6&log=Loss&lin=Validation%20loss%20per%20epoch`.
 * `log` names charts drawn on a log y axis, `lin` charts drawn linear that are
 * log by default. Opening the address restores the view.
 */
import { MAX_SMOOTHING } from './chart-options'

export interface CompareLink {
  runs: number[]
  /** EMA weight of the charts' smoothing, 0 (off) to MAX_SMOOTHING. */
  smoothing?: number
  /** Per chart title: log (true) or linear (false) y axis, where the user chose. */
  logY: Record<string, boolean>
}

/** The hash for a Compare view. */
export function encodeCompareLink(link: CompareLink): string {
  const q = new URLSearchParams()
  q.set('compare', link.runs.join(','))
  if (link.smoothing !== undefined) q.set('smooth', String(Math.round(link.smoothing * 1000) / 1000))
  for (const [title, on] of Object.entries(link.logY).sort(([a], [b]) => a.localeCompare(b))) q.append(on ? 'log' : 'lin', title)
  return `#/runs?${q.toString().replace(/%2C/g, ',')}`
}

/**
 * The Compare view a hash asks for: null when it asks for none (not `#/runs?compare=…`);
 * a one-line problem when it names runs in a way that cannot be read.
 */
export function decodeCompareLink(hash: string): CompareLink | { problem: string } | null {
  const m = /^#\/?runs\/?\?(.*)$/.exec(hash)
  if (!m) return null
  const q = new URLSearchParams(m[1])
  const list = q.get('compare')
  if (list === null) return null
  const parts = list.split(',').filter((p) => p !== '')
  if (parts.length < 2) return { problem: `a Compare link names 2 to 4 runs; this one names ${parts.length}` }
  if (parts.length > 4) return { problem: `a Compare link names 2 to 4 runs; this one names ${parts.length}` }
  const bad = parts.find((p) => !/^[1-9]\d{0,9}$/.test(p))
  if (bad !== undefined) return { problem: `"${bad}" in the Compare link is not a run number` }
  const runs = [...new Set(parts.map(Number))]
  if (runs.length < 2) return { problem: 'a Compare link names 2 to 4 different runs' }
  const link: CompareLink = { runs, logY: {} }
  const smooth = q.get('smooth')
  if (smooth !== null) {
    const v = Number(smooth)
    // A bad smoothing value is ignored (the view opens with the user's own), not an error: the runs are what matter.
    if (smooth.trim() !== '' && Number.isFinite(v) && v >= 0 && v <= MAX_SMOOTHING) link.smoothing = v
  }
  for (const title of q.getAll('lin')) if (title.length <= 200) link.logY[title] = false
  for (const title of q.getAll('log')) if (title.length <= 200) link.logY[title] = true
  return link
}
