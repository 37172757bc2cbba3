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

export function readModelFolder(dir: string): tf.io.ModelArtifacts {
  const file = path.join(dir, 'model.json')
  if (!fs.existsSync(file)) throw new Error(`${dir} holds no model.json`)
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    modelTopology: object
    format?: string
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]
  }
  const buffers: Buffer[] = []
  const specs: tf.io.WeightsManifestEntry[] = []
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)))
    specs.push(...group.weights)
  }
  const all = Buffer.concat(buffers)
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
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
