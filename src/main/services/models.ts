/**
 * Export and import of trained Q-networks in tfjs's LayersModel format
 * (model.json + weights.bin), the format tf.loadLayersModel reads.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ENVS, defaultParams } from '../../core/catalog'
import { obsSize } from '../../core/env'
import { makeEnv } from '../../core/catalog'
import { resolveRunConfig, type RunSummary } from '../../shared/api'
import { readModelFolder, writeModelFolder } from '../trainer/model-files'
import type { RunStore } from './run-store'

/** Copies the run's newest model to `outDir` (created if missing; must not hold a model already). */
export function exportModel(modelDir: string, outDir: string): string[] {
  const target = path.resolve(outDir)
  if (fs.existsSync(path.join(target, 'model.json'))) {
    throw new Error(`${target} already holds a model.json; choose an empty folder`)
  }
  writeModelFolder(target, readModelFolder(modelDir))
  return [path.join(target, 'model.json'), path.join(target, 'weights.bin')]
}

interface LayerJson {
  class_name: string
  config: { units?: number; filters?: number; kernel_size?: number[]; batch_input_shape?: (number | null)[] }
}

/**
 * Reads the DQN settings a model was built with from its topology, so the
 * imported model can be played and trained further with the same network.
 */
function inferParams(dir: string, topology: object | undefined, envId: string): Record<string, number | boolean | string | number[]> {
  const cfg = (topology as { config?: { layers?: LayerJson[] } | LayerJson[] } | undefined)?.config
  const list: unknown = (Array.isArray(cfg) ? cfg : cfg?.layers) ?? []
  const layers = (Array.isArray(list) ? list : []) as LayerJson[]
  if (!layers.length) throw new Error(`${dir}/model.json has no Sequential layers to read`)
  if (!layers.every((l) => l && typeof l === 'object' && typeof l.class_name === 'string' && l.config && typeof l.config === 'object')) {
    throw new Error(`${dir}/model.json has a layer without class_name and config`)
  }
  const inputSize = layers[0].config.batch_input_shape?.[1]
  if (typeof inputSize !== 'number') throw new Error(`${dir}/model.json does not say its input size (first layer has no batch_input_shape)`)
  const supported = new Set(['Dense', 'Conv2D', 'Reshape', 'Permute', 'Flatten'])
  const odd = layers.find((l) => !supported.has(l.class_name))
  if (odd) throw new Error(`${dir}/model.json has a ${odd.class_name.slice(0, 40)} layer; Quarkade imports Q-networks of Dense and Conv2D layers`)
  const dense = layers.filter((l) => l.class_name === 'Dense').map((l) => l.config.units!)
  const conv = layers.filter((l) => l.class_name === 'Conv2D')
  const env = makeEnv(envId)
  const frame = obsSize(env.observationSpace)
  if (inputSize % frame !== 0) throw new Error(`the model takes ${inputSize} inputs, not a whole number of ${envId} frames (${frame} values each)`)
  if (dense.at(-1) !== env.actionSpace.n) throw new Error(`the model has ${dense.at(-1)} outputs; ${envId} has ${env.actionSpace.n} actions`)
  return {
    ...defaultParams(envId, 'dqn'),
    network: conv.length ? 'conv' : 'mlp',
    ...(conv.length ? { conv_filters: conv.map((l) => l.config.filters!), conv_kernel: conv[0].config.kernel_size?.[0] ?? 3 } : {}),
    hidden: dense.slice(0, -1),
    nb_frames: inputSize / frame,
  }
}

/** Makes a completed run that holds an imported model, ready to play or keep training. */
export function importModel(store: RunStore, dir: string, envId: string, name?: string): RunSummary {
  const source = path.resolve(dir)
  if (!ENVS[envId]) throw new Error(`unknown env "${envId}" (known: ${Object.keys(ENVS).join(', ')})`)
  // Everything is read and checked before the run is created: a bad folder writes nothing.
  const artifacts = readModelFolder(source)
  const params = inferParams(source, artifacts.modelTopology as object | undefined, envId)
  const config = resolveRunConfig({
    env: envId,
    algo: 'dqn',
    episodes: ENVS[envId].defaultEpisodes,
    params,
    name: name ?? `Imported · ${path.basename(source)}`,
  })
  const run = store.createImportedRun(config, `imported from ${source}`)
  const modelDir = path.join(store.checkpointDir, `run-${run.id}`, 'episode-0')
  writeModelFolder(modelDir, artifacts)
  store.addCheckpoint(run.id, 0, modelDir)
  return store.getRun(run.id)
}
