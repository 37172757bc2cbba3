/** Display helpers for HDF5 trees (files.open's H5TreeNode) in the data browser. */
import type { H5TreeNode } from '../../../shared/api'

export function formatShape(shape: readonly number[] | undefined): string {
  if (!shape) return ''
  if (shape.length === 0) return 'scalar'
  return shape.map((n) => n.toLocaleString('en-US')).join(' × ')
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`
}

interface CompressionLike {
  kind?: string
  level?: number
  shuffle?: boolean
  filters?: { id?: number; name?: string; cdValues?: number[] }[]
}

/**
 * files.open's compression object (kind gzip/lzf/szip/other/none, gzip level,
 * shuffle, the filter pipeline) in words, e.g. "gzip level 4 + shuffle".
 */
export function formatCompression(c: unknown): string {
  if (c === undefined || c === null) return 'none'
  if (typeof c !== 'object') return String(c)
  const info = c as CompressionLike
  const parts: string[] = []
  switch (info.kind) {
    case 'gzip':
      parts.push(info.level !== undefined ? `gzip level ${info.level}` : 'gzip')
      break
    case 'lzf':
      parts.push('LZF')
      break
    case 'szip':
      parts.push('SZIP')
      break
    case 'other': {
      const names = (info.filters ?? []).filter((f) => f.id !== 2 && f.id !== 3).map((f) => f.name || `filter ${f.id}`)
      parts.push(names.length ? names.join(' + ') : 'other filters')
      break
    }
    case 'none':
    case undefined:
      break
    default:
      parts.push(String(info.kind))
  }
  if (info.shuffle) parts.push('shuffle')
  if ((info.filters ?? []).some((f) => f.id === 3)) parts.push('Fletcher32')
  return parts.length ? parts.join(' + ') : 'none'
}

export function formatChunks(chunks: number[] | null | undefined): string {
  return chunks && chunks.length ? formatShape(chunks) : 'contiguous'
}

/** An attribute value for display: strings as they are, arrays and objects as compact JSON. */
export function formatAttribute(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))
  try {
    const text = JSON.stringify(v)
    return text.length > 400 ? `${text.slice(0, 400)}…` : text
  } catch {
    return String(v)
  }
}

export function findNode(root: H5TreeNode, path: string): H5TreeNode | null {
  if (root.path === path) return root
  for (const child of root.children ?? []) {
    if (child.path === path) return child
    if (child.kind === 'group' && path.startsWith(child.path.endsWith('/') ? child.path : `${child.path}/`)) {
      const hit = findNode(child, path)
      if (hit) return hit
    }
  }
  return null
}

/** Every node's path whose group holds `path` (so the tree can expand down to it). */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  const out = ['/']
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`)
  return out
}

/** A rank ≥ 3 dataset whose last dimension looks like channels (e.g. N × 125 × 125 × 3). */
export function isChannelsLast(shape: readonly number[]): boolean {
  const n = shape.length
  return n >= 3 && shape[n - 1] <= 4 && shape[n - 2] > 4 && shape[n - 3] > 4
}

/**
 * The two axes a slice viewer shows by default, [rows, columns]: the last two,
 * or for a channels-last image stack the two before the channels (axes 1 and 2
 * of N × H × W × C).
 */
export function defaultAxes(shape: readonly number[]): [number, number] {
  const n = shape.length
  if (n < 2) return [0, 0]
  if (isChannelsLast(shape)) return [n - 3, n - 2]
  return [n - 2, n - 1]
}

/** A short name for dimension `i` of a dataset (the jet schema's names for X_jets-like stacks). */
export function axisName(shape: readonly number[], i: number): string {
  if (shape.length === 4 && isChannelsLast(shape)) return ['event', 'row', 'column', 'channel'][i]
  return `axis ${i}`
}

/** Whether a dtype string names a number type (histograms and heatmaps need numbers). */
export function isNumericDtype(dtype: string | undefined): boolean {
  return !!dtype && /^(u?int|float)\d*$/.test(dtype)
}
