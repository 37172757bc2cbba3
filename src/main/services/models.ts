/**
 * Export and import of trained Q-networks in tfjs's LayersModel format
 * (model.json + weights.bin), the format tf.loadLayersModel reads.
 */
import fs from 'node:fs'
import path from 'node:path'
import { algosFor, defaultParams, getWorld, makeEnv } from '../../core/catalog'
import { implementationOf } from '../../core/agents/implementations'
import type { ParamValues } from '../../core/params'
import { MODEL_FILE_NAMES, resolveRunConfig, type RunSummary } from '../../shared/api'
import { readModelFolder, writeModelFolder } from '../trainer/model-files'
import type { RunStore } from './run-store'

/** Copies the run's newest model to `outDir` (created if missing); never replaces a model file there. */
export function exportModel(modelDir: string, outDir: string): string[] {
  const target = path.resolve(outDir)
  const existing = ['model.json', 'weights.bin'].filter((f) => fs.existsSync(path.join(target, f)))
  if (existing.length) {
    throw new Error(`${target} already holds a ${existing.join(' and a ')}; choose an empty folder (an export never overwrites)`)
  }
  writeModelFolder(target, readModelFolder(modelDir))
  return [path.join(target, 'model.json'), path.join(target, 'weights.bin')]
}

/** Bytes per `runs.modelChunk` reply: 4 MiB (5.6 MB as base64), so a large model never travels as one message. */
export const MODEL_CHUNK_BYTES = 4 * 1024 * 1024

type ModelFile = (typeof MODEL_FILE_NAMES)[number]

/** The model files in a checkpoint folder and their sizes (a download's plan). */
export function modelFileSizes(modelDir: string): { name: ModelFile; bytes: number }[] {
  return MODEL_FILE_NAMES.map((name) => {
    const file = path.join(modelDir, name)
    if (!fs.existsSync(file)) throw new Error(`the checkpoint ${modelDir} has no ${name}`)
    return { name, bytes: fs.statSync(file).size }
  })
}

/** Up to MODEL_CHUNK_BYTES of a model file from `offset`, as base64; `next` is the following offset (null at the end). */
export function readModelChunk(modelDir: string, name: ModelFile, offset: number): { data: string; next: number | null } {
  const fd = fs.openSync(path.join(modelDir, name), 'r')
  try {
    const size = fs.fstatSync(fd).size
    if (offset > size) throw new Error(`offset ${offset} is past the end of ${name} (${size} bytes)`)
    const buf = Buffer.alloc(Math.min(MODEL_CHUNK_BYTES, size - offset))
    const read = fs.readSync(fd, buf, 0, buf.length, offset)
    const next = offset + read
    return { data: buf.subarray(0, read).toString('base64'), next: next < size ? next : null }
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * The algorithm that can take a model for this world (the first whose implementation reads
 * settings from a model's topology) and the settings the model was built with.
 */
function inferRun(dir: string, topology: unknown, envId: string): { algo: string; params: ParamValues } {
  const world = getWorld(envId)
  const algo = algosFor(world).find((a) => a.hasModel && a.kind === 'rl' && implementationOf(a.id).inferParams)
  if (!algo) throw new Error(`no algorithm for ${world.label} takes a saved model`)
  const inferred = implementationOf(algo.id).inferParams!(topology, makeEnv(envId), `${dir}/model.json`)
  return { algo: algo.id, params: { ...defaultParams(envId, algo.id), ...inferred } }
}

/** Makes a completed run that holds an imported model, ready to play or keep training. */
export function importModel(store: RunStore, dir: string, envId: string, name?: string): RunSummary {
  const source = path.resolve(dir)
  const world = getWorld(envId)
  // Everything is read and checked before the run is created: a bad folder writes nothing.
  const artifacts = readModelFolder(source)
  const { algo, params } = inferRun(source, artifacts.modelTopology, envId)
  const config = resolveRunConfig({
    env: envId,
    algo,
    episodes: world.defaultEpisodes,
    params,
    name: name ?? `Imported · ${path.basename(source)}`,
  })
  const run = store.createImportedRun(config, `imported from ${source}`)
  const modelDir = path.join(store.runCheckpointDir(run.id), 'episode-0')
  writeModelFolder(modelDir, artifacts)
  store.addCheckpoint(run.id, 0, modelDir)
  return store.getRun(run.id)
}
