/** Small display helpers. */

export function fmtNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞'
  const a = Math.abs(v)
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2)
  if (Number.isInteger(v)) return v.toLocaleString('en-US')
  return Number(v.toPrecision(digits)).toString()
}

export function fmtPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  return `${(v * 100).toFixed(1)}%`
}

export function fmtSigned(v: number): string {
  return v > 0 ? `+${fmtNumber(v)}` : v < 0 ? `−${fmtNumber(-v)}` : '0'
}

export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—'
  if (v >= 1e4) return `${(v / 1000).toFixed(0)}k/s`
  if (v >= 1e3) return `${(v / 1000).toFixed(1)}k/s`
  return `${v.toFixed(0)}/s`
}

export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—'
  const d = new Date(ms)
  const now = new Date()
  const sameDay = d.toDateString() === now.toDateString()
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  return sameDay ? `today ${time}` : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '—'
  // Short runs (a Q-table's 50 000 steps) take under a second: tenths, not "0s".
  if (ms < 9950) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  return `${h}h ${String(m % 60).padStart(2, '0')}m`
}

/**
 * The number users see for a stored episode index: episodes are stored 0-based
 * and shown 1-based everywhere ("episode 500 of 500" is the last of 500).
 */
export function episodeNumber(index: number): number {
  return index + 1
}

/** "episode 500 of 500" (or "episode 500" when the run's total is unknown) for a stored 0-based index. */
export function fmtEpisode(index: number, total?: number | null): string {
  return total ? `episode ${episodeNumber(index)} of ${total}` : `episode ${episodeNumber(index)}`
}
