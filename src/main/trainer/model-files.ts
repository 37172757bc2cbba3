/**
 * tfjs LayersModel save format on disk — model.json plus one weights.bin —
 * the layout tf.loadLayersModel('file://…/model.json') and tfjs-converter use.
 * Written here because the pure-JS tfjs package has no file-system handler.
 */
import fs from 'node:fs'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'

export function writeModelFolder(dir: string, artifacts: tf.io.ModelArtifacts): void {
  fs.mkdirSync(dir, { recursive: true })
  const weights = artifacts.weightData
  const buffer = Array.isArray(weights) ? Buffer.concat(weights.map((b) => Buffer.from(b))) : Buffer.from(weights as ArrayBuffer)
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  }
  // Write then rename, so a crash never leaves a half-written checkpoint behind.
  fs.writeFileSync(path.join(dir, 'weights.bin.tmp'), buffer)
  fs.writeFileSync(path.join(dir, 'model.json.tmp'), JSON.stringify(modelJson))
  fs.renameSync(path.join(dir, 'weights.bin.tmp'), path.join(dir, 'weights.bin'))
  fs.renameSync(path.join(dir, 'model.json.tmp'), path.join(dir, 'model.json'))
}

/** Largest model.json read (a topology is a few kB; a big one is a crafted file). */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024
/** Largest model read: all weights together (the largest network that fits the 4 GiB wasm heap with room to train). */
export const MAX_MODEL_BYTES = 1024 * 1024 * 1024
/** Bytes per value of the weight dtypes tfjs layers models use. */
const WEIGHT_DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4 }
const MAX_WEIGHT_RANK = 6

/** A model folder that cannot be read: the message names the folder and the problem. */
export class ModelFileError extends Error {
  constructor(dir: string, problem: string) {
    super(`${dir}: ${problem}`)
    this.name = 'ModelFileError'
  }
}

/** A regular file of the folder (no `..`, absolute paths, links or devices), with its size. */
function fileInside(dir: string, name: unknown, what: string, maxBytes: number): { file: string; size: number } {
  const fail = (problem: string): never => {
    throw new ModelFileError(dir, problem)
  }
  if (typeof name !== 'string' || name === '' || name.length > 255 || name.includes('\0')) fail(`${what} must be a file name, got ${JSON.stringify(name)?.slice(0, 80)}`)
  const n = name as string
  const file = path.resolve(dir, n)
  const rel = path.relative(dir, file)
  if (path.isAbsolute(n) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) fail(`${what} "${n.slice(0, 80)}" is outside the model folder`)
  let st: fs.Stats
  try {
    st = fs.lstatSync(file)
  } catch {
    return fail(`${what} "${n.slice(0, 80)}" does not exist`)
  }
  if (!st.isFile()) fail(`${what} "${n.slice(0, 80)}" is not a regular file`)
  if (st.size > maxBytes) fail(`${what} "${n.slice(0, 80)}" is ${st.size} bytes, more than the ${maxBytes} a model may have`)
  return { file, size: st.size }
}

/** Checks one weight spec: a known dtype and a bounded shape; returns its byte count. */
function specBytes(dir: string, spec: unknown): number {
  const s = spec as Partial<tf.io.WeightsManifestEntry> | null
  const name = typeof s?.name === 'string' ? s.name.slice(0, 80) : '?'
  const fail = (problem: string): never => {
    throw new ModelFileError(dir, `weight "${name}" ${problem}`)
  }
  if (!s || typeof s !== 'object' || typeof s.name !== 'string') fail('is not a weight spec ({name, shape, dtype})')
  if (s!.quantization !== undefined) fail('is quantized; Quarkade reads float32 and int32 weights only')
  const size = WEIGHT_DTYPE_BYTES[String(s!.dtype)]
  if (!size) fail(`has dtype ${JSON.stringify(s!.dtype)?.slice(0, 20)}; Quarkade reads float32 and int32 weights only`)
  const shape = s!.shape
  if (!Array.isArray(shape) || shape.length > MAX_WEIGHT_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`has shape ${JSON.stringify(shape)?.slice(0, 60)}; expected up to ${MAX_WEIGHT_RANK} whole, non-negative sizes`)
  }
  const bytes = (shape as number[]).reduce((a, b) => a * b, 1) * size!
  if (bytes > MAX_MODEL_BYTES) fail(`has shape [${(shape as number[]).join(', ')}] (${bytes} bytes), more than the ${MAX_MODEL_BYTES} a model may have`)
  return bytes
}

/**
 * Reads a LayersModel folder, trusting nothing in it: model.json is size-capped, weight files are
 * regular files inside the folder, every weight spec has a dtype and shape tfjs supports, and the
 * weight files hold exactly the bytes the specs need — checked before any weight byte is read.
 */
export function readModelFolder(dir: string): tf.io.ModelArtifacts {
  const folder = path.resolve(dir)
  const fail = (problem: string): never => {
    throw new ModelFileError(folder, problem)
  }
  if (!fs.existsSync(path.join(folder, 'model.json'))) fail('it holds no model.json')
  const manifestFile = fileInside(folder, 'model.json', 'model.json', MAX_MODEL_JSON_BYTES)
  let json: { modelTopology?: unknown; format?: unknown; weightsManifest?: unknown }
  try {
    json = JSON.parse(fs.readFileSync(manifestFile.file, 'utf8')) as typeof json
  } catch (e) {
    return fail(`model.json is not valid JSON (${String((e as Error).message).slice(0, 80)})`)
  }
  if (!json || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology === null) fail('model.json has no modelTopology')
  if (!Array.isArray(json.weightsManifest)) fail('model.json has no weightsManifest list')
  const files: { file: string; size: number }[] = []
  const specs: tf.io.WeightsManifestEntry[] = []
  let needed = 0
  let stored = 0
  for (const group of json.weightsManifest as { paths?: unknown; weights?: unknown }[]) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) fail('model.json has a weightsManifest entry without paths and weights lists')
    for (const p of group.paths as unknown[]) {
      const f = fileInside(folder, p, 'weight file', MAX_MODEL_BYTES)
      stored += f.size
      if (stored > MAX_MODEL_BYTES) fail(`its weight files hold more than the ${MAX_MODEL_BYTES} bytes a model may have`)
      files.push(f)
    }
    for (const spec of group.weights as unknown[]) {
      needed += specBytes(folder, spec)
      if (needed > MAX_MODEL_BYTES) fail(`its weights need more than the ${MAX_MODEL_BYTES} bytes a model may have`)
      specs.push(spec as tf.io.WeightsManifestEntry)
    }
  }
  if (stored < needed) fail(`its weight files hold ${stored} bytes but its weight specs need ${needed}: the weights are short`)
  if (stored > needed) fail(`its weight files hold ${stored} bytes but its weight specs need ${needed}: ${stored - needed} bytes too many`)
  const all = new Uint8Array(needed)
  let at = 0
  for (const f of files) {
    const bytes = fs.readFileSync(f.file)
    if (at + bytes.length > needed) fail(`weight file ${path.basename(f.file)} grew while it was read`)
    all.set(bytes, at)
    at += bytes.length
  }
  if (at !== needed) fail(`weight files shrank while they were read`)
  return {
    modelTopology: json.modelTopology as object,
    format: typeof json.format === 'string' ? json.format : undefined,
    weightSpecs: specs,
    weightData: all.buffer,
  }
}

export const TRAINING_STATE_FILE = 'training-state.json'

/** Training state beside a model folder: JSON metadata plus one file per blob. */
export function writeTrainingState(dir: string, meta: Record<string, unknown>, blobs: Record<string, Uint8Array>): void {
  fs.mkdirSync(dir, { recursive: true })
  for (const [name, bytes] of Object.entries(blobs)) fs.writeFileSync(path.join(dir, name), bytes)
  // The JSON goes last and by rename: its presence says the state is complete.
  fs.writeFileSync(path.join(dir, TRAINING_STATE_FILE + '.tmp'), JSON.stringify({ meta, blobs: Object.keys(blobs) }))
  fs.renameSync(path.join(dir, TRAINING_STATE_FILE + '.tmp'), path.join(dir, TRAINING_STATE_FILE))
}

export function hasTrainingState(dir: string): boolean {
  return fs.existsSync(path.join(dir, TRAINING_STATE_FILE))
}

export function readTrainingState(dir: string): { meta: Record<string, unknown>; blobs: Record<string, Uint8Array> } {
  const file = path.join(dir, TRAINING_STATE_FILE)
  if (!fs.existsSync(file)) throw new Error(`${dir} holds no training state to resume from`)
  const { meta, blobs } = JSON.parse(fs.readFileSync(file, 'utf8')) as { meta: Record<string, unknown>; blobs: string[] }
  return { meta, blobs: Object.fromEntries(blobs.map((name) => [name, new Uint8Array(fs.readFileSync(path.join(dir, name)))])) }
}

/** Removes the (large) training state of an older checkpoint, keeping its model. */
export function dropTrainingState(dir: string): void {
  const file = path.join(dir, TRAINING_STATE_FILE)
  if (!fs.existsSync(file)) return
  const { blobs } = JSON.parse(fs.readFileSync(file, 'utf8')) as { blobs: string[] }
  fs.rmSync(file)
  for (const name of blobs) fs.rmSync(path.join(dir, name), { force: true })
}

export type TrainingState = ReturnType<typeof readTrainingState>
