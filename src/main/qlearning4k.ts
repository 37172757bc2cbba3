/**
 * qlearning4k for Node scripts: core's API (src/core/qlearning4k) plus
 * checkpoints written to model folders, which core cannot do (it does no file
 * I/O, so it runs in the renderer too).
 *
 *   import { Agent, Catch } from './src/main/qlearning4k'
 *   await new Agent({ model }).train(new Catch(), { checkpoint: 100 })   // → ./qlearning4k-weights
 */
import * as tf from '@tensorflow/tfjs'
import { Agent as CoreAgent, type Game, type SaveFn, type TrainHistory, type TrainOptions as CoreTrainOptions } from '../core/qlearning4k'
import { writeModelFolder } from './trainer/model-files'

export * from '../core/qlearning4k'

export type TrainOptions = Omit<CoreTrainOptions, 'checkpoint'> & {
  /** Save every N epochs (and after the last): a number saves to ./qlearning4k-weights, as qlearning4k saves weights.dat; or give your own save. */
  checkpoint?: number | { every: number; save: SaveFn }
}

/** A save that writes the model as a tfjs LayersModel folder (model.json + weights.bin, loadable with tf.loadLayersModel), overwritten each time. */
export function saveModelFolder(dir: string): SaveFn {
  return async (_epoch, model) => {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeModelFolder(dir, artifacts)
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
  }
}

export class Agent extends CoreAgent {
  override train(game: Game, options: TrainOptions = {}): Promise<TrainHistory> {
    const { checkpoint } = options
    return super.train(game, { ...options, checkpoint: typeof checkpoint === 'number' ? { every: checkpoint, save: saveModelFolder('qlearning4k-weights') } : checkpoint })
  }
}
