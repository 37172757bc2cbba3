/**
 * A generative model learning a data set: streams images from the run's file
 * through the world's data schema (never the whole file), trains batch by
 * batch, checkpoints every epoch, and ends with the results users compare runs
 * by — physics metrics, latent space, reconstructions, samples from the prior.
 */
import os from 'node:os'
import { evaluateVae, mseRatioByChannel } from '../../core/vae/results'
import { VaeTrainer } from '../../core/vae/train'
import { dataSchema } from '../data/schemas'
import { resultsJson } from './vae-results'
import type { JobContext, JobStep, TrainingJob } from './session'

export async function createDatasetJob(ctx: JobContext): Promise<TrainingJob> {
  const { config: c, world } = ctx
  if (!c.data || !world.data) throw new Error(`${world.label} runs need a data file`)
  const schema = dataSchema(world.data.schema)
  if (!schema.openImages) throw new Error(`${world.label} reads ${world.data.description}, which holds no images for a generative model`)
  const data = await schema.openImages(c.data.path, c.data.channels)
  const memory = { availableMemory: os.freemem() }
  const trainer = ctx.resume ? await VaeTrainer.restore(data.source, ctx.resume, memory) : VaeTrainer.fromValues(data.source, c.params, memory)
  let done = trainer.history.length
  return {
    get done() {
      return done
    },
    async *steps(): AsyncGenerator<JobStep> {
      for await (const p of trainer.train()) {
        const metrics: Record<string, number> = { train_loss: p.trainLoss, train_mse: p.trainMse }
        const epochEnd = p.valLoss !== undefined && !!p.val
        if (epochEnd) {
          done = p.epoch + 1
          Object.assign(metrics, {
            epoch: done,
            epoch_train_loss: p.epochTrainLoss ?? NaN,
            val_loss: p.valLoss!,
            val_mse: p.val!.mse,
            baseline_mse: p.val!.baselineMse,
          })
        }
        yield {
          done,
          step: p.step,
          metrics,
          envSteps: p.imagesSeen,
          gradSteps: p.step,
          totals: { images_per_s: p.imagesSeen },
          checkpoint: epochEnd,
          ...(p.stop === 'early_stopping' ? { endReason: `early stopping after ${done} epochs (no better validation loss)` } : {}),
        }
      }
    },
    async save() {
      const snap = await trainer.snapshot()
      return { model: await trainer.artifacts(), state: { meta: snap.meta, blobs: snap.blobs } }
    },
    async finish(point, emit) {
      if (done === 0) return
      trainer.restoreBestWeights()
      const results = await evaluateVae(trainer, { maxImages: 2000, examples: 8, samples: 8, umap: true })
      point('mse', results.pixelMse)
      point('baseline_pixel_mse', results.baselinePixelMse)
      point('w1_mass', results.w1Reco.mass)
      point('w1_pt', results.w1Reco.pt)
      point('w1_prior_mass', results.w1Prior.mass)
      point('w1_prior_pt', results.w1Prior.pt)
      point('latent_auc', results.latentAuc ?? NaN)
      point('latent_auc_lo', results.latentAucInterval?.lo ?? NaN)
      point('latent_auc_hi', results.latentAucInterval?.hi ?? NaN)
      results.energyRatio.forEach((r, i) => point(`energy_ratio_${data.channels[i] ?? i}`, r))
      mseRatioByChannel(results).forEach((r, i) => point(`mse_ratio_${data.channels[i] ?? i}`, r))
      emit({ type: 'results', results: resultsJson(results, data.channels, data.imageShape) })
    },
    dispose: () => data.close(),
  }
}
