/** Quark/gluon jet images (DeepFalcon) as a registered data-set world: runs read an HDF5 file. */
import type { WorldInfo } from '../world'

export const jetsWorld: WorldInfo = {
  id: 'jets-v1',
  family: 'jets',
  version: 1,
  kind: 'dataset',
  label: 'Quark/gluon jets',
  description:
    'Jet images (125×125, channels Track / ECAL / HCAL) from an HDF5 file in the CMS schema (X_jets, m0, pt, y). A VAE learns to reconstruct them; results include physics metrics and the latent space by class.',
  defaultEpisodes: 10,
  successMetric: { key: 'val_loss', label: 'Validation loss', target: 0 },
  paramDefaults: { vae: {} },
  params: [],
  episodeStats: [],
  data: { schema: 'jets', description: 'an HDF5 file in the CMS jet schema' },
  outcome: (won) => (won ? 'Won' : 'Lost'),
}
