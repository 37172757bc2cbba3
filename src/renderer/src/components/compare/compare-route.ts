/**
 * The Compare view lives in the address (`#/runs?compare=3,5&smooth=0.6…`,
 * lib/compare-link.ts): opening such a link ticks its runs and applies its
 * chart options; while comparing, the address follows what is shown, so it can
 * be copied and shared at any moment.
 */
import { computed, onBeforeUnmount, ref, watch } from 'vue'
import { decodeCompareLink, encodeCompareLink, type CompareLink } from '../../lib/compare-link'
import { useChartOptionsStore } from '../../stores/chartOptions'
import { useNavStore } from '../../stores/nav'
import { useRunsStore } from '../../stores/runs'
import { useVaeStore } from '../../stores/vae'

export function useCompareRoute() {
  const vae = useVaeStore()
  const runs = useRunsStore()
  const nav = useNavStore()
  const chartOptions = useChartOptionsStore()
  const decoded = ref(decodeCompareLink(location.hash))

  /** Applies a link's runs and options (once per navigation to it). */
  function apply(link: CompareLink): void {
    vae.compareIds = [...link.runs]
    if (link.smoothing !== undefined) chartOptions.smoothing = link.smoothing
    chartOptions.logY = { ...link.logY }
  }
  const onHash = (): void => {
    decoded.value = decodeCompareLink(location.hash)
    if (decoded.value && !('problem' in decoded.value)) apply(decoded.value)
  }
  if (decoded.value && !('problem' in decoded.value)) apply(decoded.value)
  window.addEventListener('hashchange', onHash)
  onBeforeUnmount(() => window.removeEventListener('hashchange', onHash))

  const link = computed(() => (decoded.value && !('problem' in decoded.value) ? decoded.value : null))
  /** Why the address's Compare link cannot be shown (malformed, or naming runs that are gone). */
  const problem = computed<string | null>(() => {
    const d = decoded.value
    if (!d) return null
    if ('problem' in d) return d.problem
    if (!runs.loaded) return null
    const missing = d.runs.filter((id) => !runs.get(id))
    if (!missing.length) return null
    const names = missing.map((id) => `#${id}`).join(', ')
    return `${missing.length > 1 ? 'Runs' : 'Run'} ${names} in this Compare link ${missing.length > 1 ? 'do' : 'does'} not exist here (deleted, or from another data folder)`
  })
  const comparing = computed(() => nav.route.runId === null && !!link.value && vae.compareRuns.length >= 2)

  /** The hash for what is shown now. */
  const current = computed(() => encodeCompareLink({ runs: vae.compareRuns.map((r) => r.id), smoothing: chartOptions.smoothing, logY: chartOptions.logY }))
  watch(
    [comparing, current],
    ([on, hash]) => {
      if (on && location.hash !== hash) history.replaceState(history.state, '', hash)
    },
    { immediate: true },
  )

  return {
    comparing,
    problem,
    /** The address of the view shown, to share (without any access token). */
    shareUrl: computed(() => `${location.origin}${location.pathname}${current.value}`),
    open(): void {
      location.hash = encodeCompareLink({ runs: [...vae.compareIds], smoothing: chartOptions.smoothing, logY: chartOptions.logY })
    },
    close(): void {
      nav.go({ view: 'runs' })
    },
  }
}
