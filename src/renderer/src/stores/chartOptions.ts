/**
 * Options every chart reads: the smoothing weight (one slider for all charts,
 * as in TensorBoard; remembered) and, per chart title, whether its y axis is
 * log-scaled where the user chose (otherwise the chart's own default).
 */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { readSmoothing } from '../lib/chart-options'

const SMOOTHING_KEY = 'quarkade.chartSmoothing'

export const useChartOptionsStore = defineStore('chartOptions', () => {
  const smoothing = ref(readSmoothing(localStorage.getItem(SMOOTHING_KEY)))
  watch(smoothing, (v) => localStorage.setItem(SMOOTHING_KEY, String(v)))
  /** Chart title → log (true) or linear (false), for charts whose axis the user switched. */
  const logY = ref<Record<string, boolean>>({})

  function isLog(title: string, byDefault: boolean): boolean {
    return logY.value[title] ?? byDefault
  }
  function setLog(title: string, on: boolean, byDefault: boolean): void {
    const next = { ...logY.value }
    if (on === byDefault) delete next[title]
    else next[title] = on
    logY.value = next
  }
  return { smoothing, logY, isLog, setLog }
})
