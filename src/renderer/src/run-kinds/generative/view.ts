/** Generative models learning a data set (a VAE on jets): epochs, losses, results and reconstructions. */
import { defineAsyncComponent } from 'vue'
import { fmtNumber } from '../../lib/format'
import type { RunKindView } from '../types'
import { generativeCompareRows, generativeConfigEntries } from './compare'

export const view: RunKindView = {
  kind: 'generative',
  compareGroup: 'VAE',
  title: 'VAE · held-out jets',
  episodes: false,
  etaAfter: 1,
  headline: (run) => ({ prefix: 'val', value: fmtNumber(run.latest.val_loss), title: 'A VAE has no win rate: its validation loss' }),
  statTiles: defineAsyncComponent(() => import('./GenerativeStatTiles.vue')),
  charts: defineAsyncComponent(() => import('../../components/vae/VaeCharts.vue')),
  results: defineAsyncComponent(() => import('../../components/vae/VaeResultsPanel.vue')),
  configEntries: generativeConfigEntries,
  compareRows: generativeCompareRows,
  compareCharts: defineAsyncComponent(() => import('./GenerativeCompareCharts.vue')),
  compareExtra: defineAsyncComponent(() => import('../../components/compare/CompareReconstructions.vue')),
}
