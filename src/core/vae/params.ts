/**
 * VAE hyper-parameters: one spec list, read by the Train form, the CLI and the
 * trainer. Imports no tfjs, so the renderer can use it.
 */
import type { ParamSpec } from '../params'
import type { AlgoInfo } from '../algorithm'

export const VAE_PRESETS = ['points', 'reference', 'seed'] as const
export type VaePresetName = (typeof VAE_PRESETS)[number]

export const INPUT_TRANSFORMS = ['none', 'log1p', 'per_channel_scale', 'scale'] as const
export type InputTransformName = (typeof INPUT_TRANSFORMS)[number]

export interface VaeParams {
  preset: VaePresetName
  /** 0 = the preset's own (32 for reference, 1024 for seed). */
  latent_dim: number
  beta: number
  /** Weight of the per-channel total-energy error in the loss (absent in older runs: 0). */
  energy_weight?: number
  kl_warmup_epochs: number
  lr: number
  batch_size: number
  epochs: number
  input_transform: InputTransformName
  val_fraction: number
  early_stopping_patience: number
  seed: number
}

export const VAE_PARAMS: readonly ParamSpec[] = [
  {
    key: 'preset',
    label: 'Architecture',
    type: 'select',
    default: 'points',
    options: VAE_PRESETS,
    help: 'points: the reference VAE plus 3 point slots per channel — the encoder finds the leading hits (a spatial softmax) and puts each one\'s position and energy in z, the decoder draws them in their pixels; the convolutional path cannot place single-pixel hits, which carry most of a jet image\'s squared error. reference: 125→pad 128, Conv 32/64/128 (4×4, stride 2) → latent → ConvTranspose 64/32/3. seed: DeepFalcon\'s Conv 32/64 → Dense latent 1024 (≈200 M weights; on wasm the two dense kernels and their Adam moments live in host memory, ≈ 4 GB, seconds per batch).',
  },
  { key: 'latent_dim', label: 'Latent dimensions', type: 'int', default: 0, min: 0, max: 4096, help: 'Size of the convolutional part of z; 0 uses the preset\'s (32 points and reference, 1024 seed). The points preset adds 3 numbers per point slot (27).' },
  {
    key: 'beta',
    label: 'β (KL weight)',
    type: 'number',
    default: 1,
    min: 0,
    max: 1000,
    help: 'Loss per image = Σ over pixels of squared error (in transformed units) + β·KL. β = 1 is the standard ELBO with unit Gaussian noise.',
  },
  {
    key: 'energy_weight',
    label: 'Energy weight',
    type: 'number',
    default: 3e-3,
    min: 0,
    max: 1000,
    help: 'Adds energy_weight · Σ_c (Σ_pixels x̂_c − x_c)² per image to the loss: the reconstruction\'s total per channel must match the image\'s. Without it, tiny errors on the thousands of nearly empty outer pixels (which the squared error barely sees) add up to tens of percent too much energy.',
  },
  {
    key: 'kl_warmup_epochs',
    label: 'KL warm-up epochs',
    type: 'number',
    default: 1,
    min: 0,
    max: 1000,
    help: 'β rises linearly from 0 over this many epochs (KL annealing), so the decoder learns to use z before the KL can switch it off (posterior collapse). 0 = full β from the start.',
  },
  { key: 'lr', label: 'Learning rate', type: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 10, help: 'Adam step size.' },
  { key: 'batch_size', label: 'Batch size', type: 'int', default: 16, min: 1, max: 4096, help: 'Images per gradient step.' },
  { key: 'epochs', label: 'Epochs', type: 'int', default: 10, min: 1, max: 100000, help: 'Passes over the training split (early stopping may end sooner).' },
  {
    key: 'input_transform',
    label: 'Input transform',
    type: 'select',
    default: 'per_channel_scale',
    options: INPUT_TRANSFORMS,
    help: 'scale: x / s, one RMS s over all channels, so the loss weighs the channels as the raw-unit MSE does; per_channel_scale: x / s_c, with s_c the RMS of channel c on the training split (jet pixels are ~1e-3: unscaled, the loss is too small for Adam and the KL wins); log1p: log(1 + x / s_c), which also compresses the bright core (its values span less, so start with β ≈ 0.01); none: raw values (only for data already in O(1) units). Reconstructions and metrics are mapped back to raw units.',
  },
  { key: 'val_fraction', label: 'Validation fraction', type: 'number', default: 0.1, min: 0, exclusiveMin: true, max: 0.9, help: 'Share of the images held out for validation loss, early stopping and metrics.' },
  { key: 'early_stopping_patience', label: 'Early-stopping patience', type: 'int', default: 5, min: 0, max: 100000, help: 'Stop after this many epochs without a better validation loss (0 = never); the best weights are kept.' },
  { key: 'seed', label: 'Seed', type: 'int', default: 0, min: 0, max: 4294967295, help: 'Seeds the weights, the split, the batch order and the sampling noise.' },
]

export const vaeAlgo: AlgoInfo = {
  id: 'vae',
  label: 'VAE',
  description:
    'A variational autoencoder on jet images (DeepFalcon): convolutional encoder to a Gaussian latent, decoder back to 125×125×3; loss = reconstruction + β·KL.',
  kind: 'generative',
  impl: 'vae',
  params: VAE_PARAMS,
  supports: (world) => (world.kind === 'dataset' ? null : `a VAE learns a data set of images; ${world.label} is an environment`),
  runOwned: { episodes: 'epochs', seed: 'seed' },
  metrics: [
    { key: 'train_loss', label: 'Training loss (batch)', group: 'learning' },
    { key: 'val_loss', label: 'Validation loss', group: 'outcome' },
    { key: 'val_mse', label: 'Validation MSE (standardised units)', group: 'outcome' },
    { key: 'baseline_mse', label: 'Mean-image baseline MSE (standardised units)', group: 'outcome' },
    { key: 'images_per_s', label: 'Throughput', unit: 'images/s', group: 'throughput' },
  ],
  hasModel: true,
  unit: 'epochs',
}
