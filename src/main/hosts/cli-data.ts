/**
 * Data commands of the CLI (wired into cli.ts by the host):
 *
 *   quarkade inspect FILE_OR_FOLDER [--json] [--channels Track,ECAL,HCAL] [--jets]
 *   quarkade gen jets --n N --out FILE [--seed S] [--compression gzip|lzf|none] [--shuffle] [--chunk-rows K] [--force] [--json]
 *   quarkade gen lartpc --n N --out FILE [--seed S] [--size 256] [--force] [--json]
 *
 * Each returns the exit code: 0 ok, 2 bad usage, 1 bad file (one line `quarkade: error: …` on stderr).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseCliArgs } from './cli-args'
import { DEFAULT_CHANNEL_NAMES } from '../../core/jets/geometry'
import { H5FileError } from '../h5/errors'
import { checkHdf5File, formatShape, openH5, type H5CompressionInfo, type H5Node } from '../h5/file'
import { detectJetSchema } from '../h5/jets'
import { writeJetFile } from '../h5/write-jets'
import { classCounts, LARTPC_CLASSES } from '../../core/lartpc/event'
import type { DetectorOverview } from '../../shared/api'
import { detectDetectorH5, FORMAT_LABELS, openDetector } from '../data/lartpc'
import { writeLartpcFile } from '../data/lartpc/quarkade'
import { detectSchemas, opensAsHdf5 } from '../data/schemas'

export const INSPECT_USAGE = 'quarkade inspect FILE_OR_FOLDER [--json] [--channels Track,ECAL,HCAL] [--jets]'
export const GEN_USAGE =
  'quarkade gen jets --n N --out FILE [--seed S] [--compression gzip|lzf|none] [--shuffle] [--chunk-rows K] [--force] [--json]\n' +
  '  quarkade gen lartpc --n N --out FILE [--seed S] [--size 256] [--force] [--json]'

class UsageError extends Error {}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/** Runs a command body with the CLI's error conventions. */
async function run(body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`quarkade: error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`)
    return usage ? 2 : 1
  }
}

function integerFlag(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (text.trim() === '' || !Number.isInteger(v)) throw new UsageError(`--${flag} expects an integer, got "${text}"`)
  if (v < min) throw new UsageError(`--${flag} must be at least ${min}, got ${v}`)
  return v
}

function describeCompression(c: H5CompressionInfo | undefined): string {
  if (!c || c.kind === 'none') return c?.shuffle ? 'shuffle' : 'uncompressed'
  const base = c.kind === 'gzip' ? `gzip ${c.level ?? ''}`.trim() : c.kind === 'other' ? c.filters.map((f) => f.name || `filter ${f.id}`).join(' + ') : c.kind
  return c.shuffle ? `${base} + shuffle` : base
}

function humanSize(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

function treeLines(node: H5Node, out: string[]): void {
  for (const c of node.children ?? []) {
    if (c.kind === 'group') {
      out.push(`${c.path}/`)
      treeLines(c, out)
    } else if (c.kind === 'dataset') {
      const layout = c.chunks ? `chunks ${formatShape(c.chunks)}` : 'contiguous'
      out.push(`${c.path}  ${formatShape(c.shape ?? [])} ${c.dtype}  ${layout}  ${describeCompression(c.compression)}`)
    } else out.push(`${c.path}  (${c.kind})`)
    const attrs = Object.entries(c.attributes)
    for (const [k, v] of attrs.slice(0, 8)) out.push(`    @${k} = ${oneLine(JSON.stringify(v) ?? String(v)).slice(0, 100)}`)
  }
}

/** `quarkade inspect FILE`: tree, shapes, dtypes, chunking, compression and the detected jet schema. */
export async function inspectCommand(args: string[]): Promise<number> {
  return run(async () => {
    const { values, positionals } = parseCliArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, channels: { type: 'string' }, jets: { type: 'boolean' } },
    })
    if (positionals.length === 0) throw new UsageError(`inspect needs a file (usage: ${INSPECT_USAGE})`)
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}" (usage: ${INSPECT_USAGE})`)
    const channels = values.channels === undefined ? [...DEFAULT_CHANNEL_NAMES] : values.channels.split(',').map((s) => s.trim())
    if (channels.some((c) => c === '')) throw new UsageError(`--channels expects comma-separated names, got "${values.channels}"`)
    const file = path.resolve(positionals[0])
    if (!opensAsHdf5(file)) return inspectDetectorFolder(file, values.json ?? false)
    const probe = checkHdf5File(file)
    const h5 = await openH5(file)
    try {
      const tree = h5.tree()
      const schema = detectJetSchema(h5)
      const detector = detectDetectorH5(h5)
      const detectorOverview = detector.ok ? await openDetector(file).then((d) => (d.close(), d.overview)) : null
      if (schema.ok && schema.imageShape[2] !== channels.length) {
        throw new UsageError(`--channels names ${channels.length} channels but the images have ${schema.imageShape[2]}`)
      }
      if (values.jets && !schema.ok) throw schema.error
      if (values.json) {
        const out = {
          file,
          size_bytes: probe.size,
          superblock_version: probe.superblockVersion,
          tree,
          schema: schema.ok
            ? { ok: true, events: schema.events, channels_last: true, image_shape: schema.imageShape, channels, datasets: schema.datasets, dtypes: schema.dtypes, warnings: schema.warnings }
            : { ok: false, code: schema.code, problem: schema.problem },
          detector: detector.ok && detectorOverview ? { ok: true, ...detectorJson(detectorOverview) } : { ok: false, problem: detector.ok ? 'unreadable' : detector.problem },
          schemas: detectSchemas(file, h5),
        }
        process.stdout.write(JSON.stringify(out) + '\n')
      } else {
        const lines = [`${path.basename(file)}  ${humanSize(probe.size)}  HDF5 (superblock v${probe.superblockVersion})`]
        treeLines(tree, lines)
        if (schema.ok) {
          const [h, w, c] = schema.imageShape
          lines.push(`jet schema: yes — ${schema.events} events, images ${h} × ${w} × ${c} channels-last (${channels.join(', ')}), m0 ${schema.dtypes.m0}, pt ${schema.dtypes.pt}, y ${schema.dtypes.y}`)
          for (const wrn of schema.warnings) lines.push(`  note: ${wrn}`)
        } else lines.push(`jet schema: no — ${schema.problem}`)
        if (detectorOverview) lines.push(`LArTPC detector file: ${detectorOverview.formatLabel} — ${detectorOverview.count} events of ${detectorOverview.width} × ${detectorOverview.height}${detectorOverview.projection ? ` (projected on ${detectorOverview.projection.plane})` : ''}`)
        process.stdout.write(lines.join('\n') + '\n')
      }
      return 0
    } finally {
      h5.close()
    }
  })
}

function detectorJson(o: DetectorOverview): Record<string, unknown> {
  return { format: o.format, format_label: o.formatLabel, events: o.count, width: o.width, height: o.height, projection: o.projection }
}

/** inspect on a path that is not an HDF5 file: an npz folder (or one of its files). */
async function inspectDetectorFolder(file: string, json: boolean): Promise<number> {
  const det = await openDetector(file)
  try {
    const o = det.overview
    const first = det.source.event(0)
    const counts = classCounts(first)
    if (json) {
      const out = { file: o.path, kind: 'folder', detector: { ok: true, ...detectorJson(o), first_event_class_pixels: Object.fromEntries(LARTPC_CLASSES.map((c, i) => [c, counts[i]])) }, schemas: detectSchemas(o.path, null) }
      process.stdout.write(JSON.stringify(out) + '\n')
    } else {
      process.stdout.write(`${o.name}/  ${o.formatLabel} — ${o.count} events of ${o.width} × ${o.height}; event 0: ${LARTPC_CLASSES.map((c, i) => `${counts[i]} ${c}`).join(', ')} pixels\n`)
    }
    return 0
  } finally {
    det.close()
  }
}

/** `quarkade gen jets …`: writes a synthetic quark/gluon sample in the CMS schema; `gen lartpc …`: detector events in Quarkade's schema. */
export async function genCommand(args: string[]): Promise<number> {
  return run(async () => {
    const { values, positionals } = parseCliArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        n: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        compression: { type: 'string' },
        'chunk-rows': { type: 'string' },
        size: { type: 'string' },
        shuffle: { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    })
    if (positionals.length === 0) throw new UsageError('gen needs what to generate: jets or lartpc (quarkade --help lists their options)')
    if (positionals[0] !== 'jets' && positionals[0] !== 'lartpc') throw new UsageError(`unknown generator "${positionals[0]}" (known: jets, lartpc)`)
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)
    const n = integerFlag('n', values.n, 1)
    if (n === undefined) throw new UsageError('--n is required (number of events, e.g. --n 1000)')
    if (!values.out) throw new UsageError('--out is required (the .h5 file to write)')
    const seed = integerFlag('seed', values.seed, 0) ?? 0
    if (seed > 0xffffffff) throw new UsageError(`--seed must be below 2^32, got ${seed}`)
    if (positionals[0] === 'lartpc') {
      for (const flag of ['compression', 'chunk-rows', 'shuffle'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for gen jets; gen lartpc writes one gzip chunk per event`)
      const size = integerFlag('size', values.size, 16)
      if (size !== undefined && size > 4096) throw new UsageError(`--size must be at most 4096, got ${size}`)
      return genLartpc(writableTarget(values.out, values.force ?? false), n, seed, size ?? 256, values.json ?? false)
    }
    if (values.size !== undefined) throw new UsageError('--size is for gen lartpc (jet images are 125 × 125)')
    const compression = values.compression ?? 'gzip'
    if (compression !== 'gzip' && compression !== 'lzf' && compression !== 'none') throw new UsageError(`--compression must be gzip, lzf or none, got "${compression}"`)
    const chunkRows = integerFlag('chunk-rows', values['chunk-rows'], 1)
    if (values.shuffle && compression !== 'gzip') throw new UsageError('--shuffle goes with --compression gzip')
    const out = writableTarget(values.out, values.force ?? false)
    const tty = process.stderr.isTTY
    let lastPrint = 0
    const result = await writeJetFile(out, {
      n,
      seed,
      compression,
      chunkRows,
      shuffle: values.shuffle ?? false,
      onProgress: (done, total) => {
        const now = performance.now()
        if (!tty || (now - lastPrint < 200 && done < total)) return
        lastPrint = now
        process.stderr.write(`\r\x1b[2Kgenerating jets ${done}/${total}`)
      },
    })
    if (tty) process.stderr.write('\r\x1b[2K')
    if (values.json) {
      process.stdout.write(
        JSON.stringify({
          file: result.path,
          events: result.events,
          quarks: result.quarks,
          gluons: result.gluons,
          seed,
          compression,
          shuffle: values.shuffle ?? false,
          chunk_rows: chunkRows ?? 1,
          bytes: result.bytes,
          seconds: Math.round(result.seconds * 1000) / 1000,
        }) + '\n',
      )
    } else {
      process.stdout.write(`wrote ${result.events} jets (${result.quarks} quark, ${result.gluons} gluon) to ${result.path}: ${humanSize(result.bytes)}, ${compression}${values.shuffle ? ' + shuffle' : ''}, ${result.seconds.toFixed(1)} s\n`)
    }
    return 0
  })
}

/** The file gen may write: its folder exists, it is not a folder, and it is new unless --force. */
function writableTarget(outArg: string, force: boolean): string {
  const out = path.resolve(outArg)
  if (!fs.existsSync(path.dirname(out))) throw new H5FileError(out, 'not_found', `cannot write it: folder ${path.dirname(out)} does not exist`)
  if (fs.existsSync(out)) {
    if (fs.statSync(out).isDirectory()) throw new H5FileError(out, 'not_found', 'cannot write it: it is a directory')
    if (!force) throw new H5FileError(out, 'not_found', 'already exists (use --force to replace it)')
  }
  return out
}

async function genLartpc(out: string, n: number, seed: number, size: number, json: boolean): Promise<number> {
  const tty = process.stderr.isTTY
  let lastPrint = 0
  const result = await writeLartpcFile(out, {
    n,
    seed,
    size,
    onProgress: (done, total) => {
      const now = performance.now()
      if (!tty || (now - lastPrint < 200 && done < total)) return
      lastPrint = now
      process.stderr.write(`\r\x1b[2Kgenerating LArTPC events ${done}/${total}`)
    },
  })
  if (tty) process.stderr.write('\r\x1b[2K')
  const pixels = Object.fromEntries(LARTPC_CLASSES.map((c, i) => [c, result.classPixels[i]]))
  if (json) {
    process.stdout.write(JSON.stringify({ file: result.path, format: 'quarkade', format_label: FORMAT_LABELS.quarkade, events: result.events, width: size, height: size, seed, class_pixels: pixels, bytes: result.bytes, seconds: Math.round(result.seconds * 1000) / 1000 }) + '\n')
  } else {
    const hit = result.classPixels[1] + result.classPixels[2]
    process.stdout.write(`wrote ${result.events} LArTPC events of ${size} × ${size} to ${result.path}: ${humanSize(result.bytes)}, ${(hit / result.events).toFixed(0)} shower/track pixels an event, ${result.seconds.toFixed(1)} s\n`)
  }
  return 0
}
