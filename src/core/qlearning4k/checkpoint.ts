/**
 * The default checkpoint: the model in tfjs's LayersModel format (model.json +
 * weights.bin, loadable with tf.loadLayersModel) in a folder, overwritten each
 * time as qlearning4k overwrites weights.dat. Node only; imports fs on first use.
 */
import * as tf from '@tensorflow/tfjs'

export function saveModelFolder(dir: string): (epoch: number, model: tf.LayersModel) => Promise<void> {
  return async (_epoch, model) => {
    const fs = await import('node:fs/promises')
    const path = await import('node:path')
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const w = a.weightData
        const bytes = Array.isArray(w) ? Buffer.concat(w.map((b) => Buffer.from(b))) : Buffer.from(w as ArrayBuffer)
        const json = { modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }
        await fs.mkdir(dir, { recursive: true })
        await fs.writeFile(path.join(dir, 'weights.bin'), bytes)
        await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json))
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
  }
}
