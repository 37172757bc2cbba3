/**
 * A drawn chart as an image file: PNG (the uPlot canvas under the title and
 * legend) or SVG (the same picture as vectors: axes, ticks, each series'
 * path), for reports and papers.
 */
import type uPlot from 'uplot'

export interface ImageLegendItem {
  label: string
  color: string
}

export interface ChartImage {
  title: string
  legend: readonly ImageLegendItem[]
  /** How each drawn series (uPlot's series 1…n) is drawn. */
  styles: readonly ('line' | 'points' | 'linepoints')[]
  /** Colours from the page's theme. */
  background: string
  text: string
  dim: string
}

const HEAD = 30
const FONT = '12px system-ui, sans-serif'

/** The chart as a PNG: title and legend drawn above the plot canvas. */
export function chartPng(u: uPlot, img: ChartImage): Promise<Blob> {
  const plot = u.ctx.canvas
  const dpr = plot.width / Math.max(1, u.width)
  const canvas = document.createElement('canvas')
  canvas.width = plot.width
  canvas.height = plot.height + Math.round(HEAD * dpr)
  const ctx = canvas.getContext('2d')
  if (!ctx) return Promise.reject(new Error('this browser cannot draw a canvas image'))
  ctx.fillStyle = img.background
  ctx.fillRect(0, 0, canvas.width, canvas.height)
  ctx.scale(dpr, dpr)
  ctx.font = `600 ${FONT}`
  ctx.fillStyle = img.text
  ctx.textBaseline = 'middle'
  ctx.fillText(img.title, 8, HEAD / 2)
  let x = 16 + ctx.measureText(img.title).width
  ctx.font = FONT
  for (const item of img.legend) {
    ctx.fillStyle = item.color
    ctx.fillRect(x, HEAD / 2 - 1.5, 10, 3)
    ctx.fillStyle = img.dim
    ctx.fillText(item.label, x + 14, HEAD / 2)
    x += 24 + ctx.measureText(item.label).width
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.drawImage(plot, 0, Math.round(HEAD * dpr))
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'))
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const n = (v: number): string => (Math.round(v * 10) / 10).toString()

/** What uPlot keeps of each axis's last layout (its ticks and their text). */
interface AxisLayout {
  _splits?: number[] | null
  _values?: (string | number | null)[] | null
}

/** The chart as an SVG document, in CSS pixels: plot frame, grid and tick labels, axis titles, series, title and legend. */
export function chartSvg(u: uPlot, img: ChartImage): string {
  const dpr = u.ctx.canvas.width / Math.max(1, u.width)
  const box = { left: u.bbox.left / dpr, top: u.bbox.top / dpr + HEAD, width: u.bbox.width / dpr, height: u.bbox.height / dpr }
  const W = u.width
  const H = u.height + HEAD
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="${esc(img.background)}"/>`,
    `<text x="8" y="${HEAD / 2}" dominant-baseline="middle" font-size="12" font-weight="600" fill="${esc(img.text)}">${esc(img.title)}</text>`,
  ]
  let lx = 16 + img.title.length * 7
  for (const item of img.legend) {
    out.push(`<rect x="${n(lx)}" y="${HEAD / 2 - 1.5}" width="10" height="3" fill="${esc(item.color)}"/>`)
    out.push(`<text x="${n(lx + 14)}" y="${HEAD / 2}" dominant-baseline="middle" fill="${esc(img.dim)}">${esc(item.label)}</text>`)
    lx += 24 + item.label.length * 6.5
  }
  out.push(`<rect x="${n(box.left)}" y="${n(box.top)}" width="${n(box.width)}" height="${n(box.height)}" fill="none" stroke="${esc(img.dim)}" stroke-opacity="0.3"/>`)
  u.axes.forEach((axis, i) => {
    const layout = axis as uPlot.Axis & AxisLayout
    const scale = axis.scale ?? (i === 0 ? 'x' : 'y')
    const splits = layout._splits ?? []
    const values = layout._values ?? []
    const side = axis.side ?? (i === 0 ? 2 : 3)
    splits.forEach((v, k) => {
      const text = values[k]
      const pos = u.valToPos(v, scale)
      if (!Number.isFinite(pos)) return
      if (side === 2) {
        const x = box.left + pos
        if (axis.grid?.show !== false) out.push(`<line x1="${n(x)}" y1="${n(box.top)}" x2="${n(x)}" y2="${n(box.top + box.height)}" stroke="${esc(img.dim)}" stroke-opacity="0.12"/>`)
        if (text != null && text !== '') out.push(`<text x="${n(x)}" y="${n(box.top + box.height + 14)}" text-anchor="middle" fill="${esc(img.dim)}">${esc(String(text))}</text>`)
      } else {
        const y = box.top + pos
        if (axis.grid?.show !== false) out.push(`<line x1="${n(box.left)}" y1="${n(y)}" x2="${n(box.left + box.width)}" y2="${n(y)}" stroke="${esc(img.dim)}" stroke-opacity="0.12"/>`)
        const right = side === 1
        if (text != null && text !== '')
          out.push(`<text x="${n(right ? box.left + box.width + 6 : box.left - 6)}" y="${n(y)}" text-anchor="${right ? 'start' : 'end'}" dominant-baseline="middle" fill="${esc(img.dim)}">${esc(String(text))}</text>`)
      }
    })
    const label = typeof axis.label === 'string' ? axis.label : ''
    if (!label) return
    if (side === 2) out.push(`<text x="${n(box.left + box.width / 2)}" y="${H - 4}" text-anchor="middle" fill="${esc(img.dim)}">${esc(label)}</text>`)
    else {
      // Rotated text lies on the side its glyphs' tops point to: room for them on both edges.
      const x = side === 1 ? W - 12 : 12
      const y = box.top + box.height / 2
      out.push(`<text transform="translate(${n(x)} ${n(y)}) rotate(${side === 1 ? 90 : -90})" text-anchor="middle" fill="${esc(img.dim)}">${esc(label)}</text>`)
    }
  })
  // Series: paths through the drawn points (gaps break them), points as circles.
  const xs = u.data[0]
  const i0 = u.series[0].idxs?.[0] ?? 0
  const i1 = u.series[0].idxs?.[1] ?? xs.length - 1
  out.push(`<svg x="${n(box.left)}" y="${n(box.top)}" width="${n(box.width)}" height="${n(box.height)}" overflow="hidden">`)
  u.series.forEach((s, si) => {
    if (si === 0 || s.show === false) return
    const ys = u.data[si] as (number | null | undefined)[]
    const scale = s.scale ?? 'y'
    // uPlot keeps a series' stroke as a function of (plot, series index) once the plot is made.
    const stroke = String((typeof s.stroke === 'function' ? s.stroke(u, si) : s.stroke) ?? '#888')
    const style = img.styles[si - 1] ?? 'line'
    const asPoints = style === 'points'
    const size = style === 'points' ? (typeof s.points?.size === 'number' ? s.points.size : 3) : 6
    let d = ''
    let pen = false
    const dots: string[] = []
    for (let k = i0; k <= i1; k++) {
      const y = ys[k]
      if (y == null || !Number.isFinite(y)) {
        if (!s.spanGaps) pen = false
        continue
      }
      const px = u.valToPos(xs[k], 'x')
      const py = u.valToPos(y, scale)
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue
      if (style !== 'line') dots.push(`<circle cx="${n(px)}" cy="${n(py)}" r="${n(size / 2)}" fill="${esc(stroke)}"/>`)
      d += `${pen ? 'L' : 'M'}${n(px)} ${n(py)}`
      pen = true
    }
    if (!asPoints && d) out.push(`<path d="${d}" fill="none" stroke="${esc(stroke)}" stroke-width="${s.width ?? 1}"${s.dash?.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`)
    out.push(...dots)
  })
  out.push('</svg></svg>')
  return out.join('\n')
}
