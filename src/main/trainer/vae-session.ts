/**
 * A VAE job: streams jet images from an HDF5 file (never the whole data set),
 * trains batch by batch, checkpoints every epoch, and ends with the results a
 * user compares runs by — physics metrics, latent space, reconstructions and
 * samples from the prior. Pause, resume and stop take effect between batches.
 */
import path from 'node:path'
import type { MetricPoint, RunConfig } from '../../shared/api'
import type { ImageSource } from '../../core/vae/data'
import { evaluateVae, type VaeResults } from '../../core/vae/results'
import { VaeTrainer } from '../../core/vae/train'
import { JetDataset } from '../h5/jets'
import { selectBackend } from './backend'
import { readTrainingState } from './model-files'
import { writeCheckpoint } from './checkpoints'
import type { FromTrainer, ToTrainer } from './protocol'
import { PauseControl } from './pause-control'

const BATCH_INTERVAL_MS = 200
const RATE_INTERVAL_MS = 500

type StartMessage = Extract<ToTrainer, { type: 'start' }>

/** The images of a jet file as the VAE's data source (contiguous slices only). */
function jetSource(ds: JetDataset): ImageSource {
  return {
    size: ds.events,
    async batch(start, count) {
      const b = ds.range(start, start + count)
      return { images: b.images.slice(), y: b.y.slice() }
    },
  }
}

const base64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')

/** Results as plain JSON: images and coordinates as base64 float32 (a third the size of number arrays). */
export function resultsJson(r: VaeResults, channels: readonly string[], imageShape: readonly number[]): Record<string, unknown> {
  return {
    n: r.n,
    pixelMse: r.pixelMse,
    baselinePixelMse: r.baselinePixelMse,
    energyRatio: r.energyRatio,
    channels,
    imageShape,
    w1Reco: r.w1Reco,
    w1Prior: r.w1Prior,
    latentAuc: r.latentAuc,
    latent: {
      pca: base64(r.latent.pca),
      pcaExplained: r.latent.pcaExplained,
      umap: r.latent.umap ? base64(r.latent.umap) : null,
      labels: base64(r.latent.labels),
    },
    examples: { count: r.examples.count, original: base64(r.examples.original), reconstructed: base64(r.examples.reconstructed) },
    samples: { count: r.samples.count, images: base64(r.samples.images) },
  }
}

export class VaeSession {
  readonly control: PauseControl

  constructor(
    private readonly start: StartMessage,
    private readonly emit: (msg: FromTrainer) => void,
  ) {
    this.control = new PauseControl(emit)
  }

  async run(): Promise<void> {
    const c: RunConfig = this.start.config
    if (!c.data) throw new Error('a VAE run needs a data file')
    const backend = await selectBackend(c.backend)
    this.emit({ type: 'started', backend })
    const ds = await JetDataset.open(c.data.path, { channels: c.data.channels ?? undefined })
    const source = jetSource(ds)
    const trainer = this.start.resumeFrom
      ? await VaeTrainer.restore(source, readTrainingState(this.start.resumeFrom))
      : VaeTrainer.fromValues(source, c.params)
    let metrics: MetricPoint[] = []
    let lastBatch = performance.now()
    let lastRate = 0
    let epochsDone = trainer.history.length
    let images = 0
    let steps = 0
    const time = (): number => Date.now() / 1000
    const flush = (): void => {
      this.emit({ type: 'batch', metrics, episodes: [], progress: { episodesDone: epochsDone, envSteps: images, gradSteps: steps } })
      metrics = []
      lastBatch = performance.now()
    }
    const checkpoint = async (): Promise<void> => {
      const dir = path.join(this.start.checkpointDir, `run-${this.start.runId}`, `epoch-${epochsDone}`)
      // The host drops older checkpoints' training state once it has recorded this one.
      writeCheckpoint(dir, { model: await trainer.artifacts(), state: await trainer.snapshot() })
      this.emit({ type: 'checkpoint', episode: epochsDone, path: dir, hasModel: true })
    }

    let reason = `finished ${c.episodes} epochs`
    try {
      for await (const p of trainer.train()) {
        steps = p.step
        images = p.imagesSeen
        const point = (key: string, value: number): void => void metrics.push({ key, step: p.step, value, time: time() })
        point('train_loss', p.trainLoss)
        point('train_mse', p.trainMse)
        const now = performance.now()
        if (now - lastRate >= RATE_INTERVAL_MS) {
          point('images_per_s', p.imagesPerS)
          lastRate = now
        }
        if (p.valLoss !== undefined && p.val) {
          epochsDone = p.epoch + 1
          point('epoch', epochsDone)
          point('epoch_train_loss', p.epochTrainLoss ?? NaN)
          point('val_loss', p.valLoss)
          point('val_mse', p.val.mse)
          point('baseline_mse', p.val.baselineMse)
          flush()
          await checkpoint()
        }
        if (p.stop === 'early_stopping') reason = `early stopping after ${epochsDone} epochs (no better validation loss)`
        if (now - lastBatch >= BATCH_INTERVAL_MS) {
          flush()
          await new Promise((resolve) => setImmediate(resolve))
        }
        if (this.control.paused) {
          flush()
          await this.control.waitWhilePaused()
        }
        if (this.control.stopping) {
          reason = `stopped by the user after ${epochsDone} epochs`
          break
        }
      }
      flush()
      if (epochsDone > 0) {
        trainer.restoreBestWeights()
        const results = await evaluateVae(trainer, { maxImages: 2000, examples: 8, samples: 8, umap: true })
        const t = time()
        const final = (key: string, value: number | null): void => {
          if (value !== null && Number.isFinite(value)) metrics.push({ key, step: steps, value, time: t })
        }
        final('mse', results.pixelMse)
        final('baseline_pixel_mse', results.baselinePixelMse)
        final('w1_mass', results.w1Reco.mass)
        final('w1_pt', results.w1Reco.pt)
        final('w1_prior_mass', results.w1Prior.mass)
        final('w1_prior_pt', results.w1Prior.pt)
        final('latent_auc', results.latentAuc)
        results.energyRatio.forEach((r, i) => final(`energy_ratio_${ds.channels[i] ?? i}`, r))
        flush()
        this.emit({ type: 'results', results: resultsJson(results, ds.channels, ds.imageShape) })
      }
      this.emit({ type: 'done', status: this.control.stopping ? 'stopped' : 'completed', reason })
    } finally {
      ds.close()
    }
  }
}
