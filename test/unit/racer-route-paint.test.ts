/**
 * "What it learned" draws the greedy route over the Q heatmap. The route was a faint
 * green trail, and viridis (the heatmap) is green where Q is high, so the promised
 * green route vanished. Now it is drawn solid, last, in a colour viridis never takes.
 */
import { describe, expect, test } from 'vitest'
import { trackFromAscii } from '../../src/core/racer/track'
import type { Policy } from '../../src/shared/api'
import { RACER_COLORS, paintRacer, viridis } from '../../src/renderer/src/worlds/racer/paint'

type Op = { op: string; strokeStyle: unknown; fillStyle: unknown; alpha: number }

/** A 2-D context that records each stroke and fill with the style and alpha it was made with. */
function recordingContext(): { ctx: CanvasRenderingContext2D; ops: Op[] } {
  const ops: Op[] = []
  const state: Record<string | symbol, unknown> = { globalAlpha: 1, strokeStyle: '#000', fillStyle: '#000' }
  const ctx = new Proxy(state, {
    get(target, key) {
      if (key in target) return target[key]
      return (..._args: unknown[]) => {
        if (key === 'stroke' || key === 'fill' || key === 'fillRect' || key === 'strokeRect') {
          ops.push({ op: String(key), strokeStyle: target.strokeStyle, fillStyle: target.fillStyle, alpha: Number(target.globalAlpha) })
        }
        if (key === 'measureText') return { width: 0 }
        if (key === 'createLinearGradient' || key === 'createRadialGradient') return { addColorStop: () => {} }
        return undefined
      }
    },
    set(target, key, value) {
      target[key] = value
      return true
    },
  })
  return { ctx: ctx as unknown as CanvasRenderingContext2D, ops }
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]

describe('the greedy route over the Q heatmap', () => {
  const track = trackFromAscii(['S...', '....', '...G'], 'tiny')
  const q: (number | null)[] = []
  for (let c = 0; c < 12; c++) for (let a = 0; a < 4; a++) q.push(c / 11 + a * 0.01)
  const policy: Policy = { runId: 1, episode: 5, width: 4, height: 3, nActions: 4, q }
  const route = [
    { x: 0, y: 0 },
    { x: 1, y: 0 },
    { x: 1, y: 1 },
    { x: 2, y: 1 },
    { x: 3, y: 2 },
  ]

  test('its colour is far from every colour of the heatmap', () => {
    const route = rgb(RACER_COLORS.route)
    for (let i = 0; i <= 100; i++) {
      const v = viridis(i / 100)
      const d = Math.hypot(route[0] - v[0], route[1] - v[1], route[2] - v[2])
      expect(d, `viridis(${i / 100})`).toBeGreaterThan(120)
    }
  })

  test('it is stroked opaque, after the heatmap is filled', () => {
    const { ctx, ops } = recordingContext()
    paintRacer(ctx, { track, policy, heatmap: true, route }, 20)
    const routeStrokes = ops.map((o, i) => ({ ...o, i })).filter((o) => o.op === 'stroke' && o.strokeStyle === RACER_COLORS.route)
    expect(routeStrokes.length).toBeGreaterThan(0)
    expect(routeStrokes.every((o) => o.alpha === 1)).toBe(true)
    const lastHeat = ops.map((o, i) => ({ ...o, i })).filter((o) => o.op === 'fillRect' && typeof o.fillStyle === 'string' && o.fillStyle.startsWith('rgb')).pop()
    expect(lastHeat, 'the heatmap was painted').toBeDefined()
    expect(routeStrokes[0].i).toBeGreaterThan(lastHeat!.i)
  })
})
