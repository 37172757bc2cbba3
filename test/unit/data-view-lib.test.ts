/** The Data view's pure helpers: viridis painting (linear / log, channels, transpose), max-pooling, HDF5 display text, default slice axes. */
import { describe, expect, test } from 'vitest'
import { VIRIDIS, colorbarTicks, maxPool, paintGrid, paintRgb, scaleRange, sumChannels } from '../../src/renderer/src/lib/colormap'
import { ancestors, defaultAxes, findNode, formatBytes, formatChunks, formatCompression, formatShape, isNumericDtype } from '../../src/renderer/src/lib/h5'
import type { H5TreeNode } from '../../src/shared/api'

const rgbAt = (out: Uint8ClampedArray, i: number): number[] => [out[i * 4], out[i * 4 + 1], out[i * 4 + 2]]
const lut = (k: number): number[] => [VIRIDIS[k * 3], VIRIDIS[k * 3 + 1], VIRIDIS[k * 3 + 2]]

describe('colormap', () => {
  test('viridis runs from dark purple to yellow', () => {
    expect(lut(0)).toEqual([68, 1, 84])
    expect(lut(255)).toEqual([253, 231, 37])
  })

  test('linear: min → first colour, max → last', () => {
    const out = new Uint8ClampedArray(4 * 4)
    const r = paintGrid(out, [0, 1, 2, 4], 2, 2, { scale: 'linear' })
    expect(r).toMatchObject({ min: 0, max: 4 })
    expect(rgbAt(out, 0)).toEqual(lut(0))
    expect(rgbAt(out, 3)).toEqual(lut(255))
    expect(rgbAt(out, 2)).toEqual(lut(128))
    expect(out[3]).toBe(255)
  })

  test('log: log10 of positive values; zeros and negatives get the lowest colour', () => {
    const out = new Uint8ClampedArray(4 * 4)
    const r = paintGrid(out, [0, 1, 10, 100], 2, 2, { scale: 'log' })
    expect(r).toMatchObject({ lo: 0, hi: 2, min: 1, max: 100 })
    expect(rgbAt(out, 0)).toEqual(lut(0))
    expect(rgbAt(out, 1)).toEqual(lut(0))
    expect(rgbAt(out, 2)).toEqual(lut(128))
    expect(rgbAt(out, 3)).toEqual(lut(255))
    expect(scaleRange([0, -1, NaN], 'log')).toBeNull()
    expect(colorbarTicks(r!, 'log', 3)).toEqual([100, 10, 1])
  })

  test('one channel of a channels-last image, and a transposed read', () => {
    const img = [0, 5, 1, 6, 2, 7, 3, 8] // 2 × 2 × 2
    const out = new Uint8ClampedArray(4 * 4)
    const r = paintGrid(out, img, 2, 2, { scale: 'linear', stride: 2, offset: 1 })
    expect(r).toMatchObject({ min: 5, max: 8 })
    const t = new Uint8ClampedArray(4 * 4)
    paintGrid(t, [0, 1, 2, 3], 2, 2, { scale: 'linear', transpose: true })
    // source (cols × rows) [[0, 1], [2, 3]] shown transposed: top-right is 2.
    expect(rgbAt(t, 1)).toEqual(lut(170))
  })

  test('RGB: each channel to its own range; sum adds channels', () => {
    const img = [0, 0, 0, 2, 10, 1] // 1 × 2 × 3
    const out = new Uint8ClampedArray(2 * 4)
    paintRgb(out, img, 1, 2, 3, 'linear')
    expect(rgbAt(out, 0)).toEqual([0, 0, 0])
    expect(rgbAt(out, 1)).toEqual([255, 255, 255])
    expect(Array.from(sumChannels(img, 1, 2, 3))).toEqual([0, 13])
  })

  test('max-pooling keeps single hits', () => {
    const img = new Array(5 * 5).fill(0)
    img[4 * 5 + 4] = 7 // the corner, in a partial block
    img[1 * 5 + 2] = 3
    const p = maxPool(img, 5, 5, 1, 2)
    expect([p.h, p.w]).toEqual([3, 3])
    expect(p.data[2 * 3 + 2]).toBe(7)
    expect(p.data[0 * 3 + 1]).toBe(3)
    expect(p.data[0]).toBe(0)
  })
})

describe('HDF5 display helpers', () => {
  test('shape, bytes, chunks and compression in words', () => {
    expect(formatShape([2000, 125, 125, 3])).toBe('2,000 × 125 × 125 × 3')
    expect(formatShape([])).toBe('scalar')
    expect(formatBytes(83 * 1024)).toBe('83 KiB')
    expect(formatBytes(3.5 * 1024 ** 3)).toBe('3.5 GiB')
    expect(formatChunks(null)).toBe('contiguous')
    expect(formatCompression({ kind: 'gzip', level: 4, shuffle: true, filters: [{ id: 2 }, { id: 1 }] })).toBe('gzip level 4 + shuffle')
    expect(formatCompression({ kind: 'lzf', shuffle: false, filters: [{ id: 32000, name: 'lzf' }] })).toBe('LZF')
    expect(formatCompression({ kind: 'none', shuffle: false, filters: [] })).toBe('none')
    expect(formatCompression({ kind: 'other', shuffle: false, filters: [{ id: 32001, name: 'blosc' }] })).toBe('blosc')
    expect(isNumericDtype('float32')).toBe(true)
    expect(isNumericDtype('uint8')).toBe(true)
    expect(isNumericDtype('string')).toBe(false)
  })

  test('default slice axes: the last two, or rows × columns of a channels-last stack', () => {
    expect(defaultAxes([60, 125, 125, 3])).toEqual([1, 2])
    expect(defaultAxes([4, 5, 6])).toEqual([1, 2])
    expect(defaultAxes([125, 125, 3])).toEqual([0, 1])
    expect(defaultAxes([10, 20])).toEqual([0, 1])
    expect(defaultAxes([60, 3, 125, 125])).toEqual([2, 3])
  })

  test('finding nodes and their groups', () => {
    const tree: H5TreeNode = {
      name: '/',
      path: '/',
      kind: 'group',
      attributes: {},
      children: [
        { name: 'a', path: '/a', kind: 'group', attributes: {}, children: [{ name: 'x', path: '/a/x', kind: 'dataset', shape: [3], attributes: {} }] },
        { name: 'ab', path: '/ab', kind: 'dataset', shape: [1], attributes: {} },
      ],
    }
    expect(findNode(tree, '/a/x')?.shape).toEqual([3])
    expect(findNode(tree, '/ab')?.kind).toBe('dataset')
    expect(findNode(tree, '/nope')).toBeNull()
    expect(ancestors('/a/x')).toEqual(['/', '/a'])
  })
})
