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
