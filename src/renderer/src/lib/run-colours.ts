/**
 * One colour per run, the same in every view (chart legends, Compare, the Runs
 * table): picked from the run's id alone, so it never depends on which runs are
 * shown together or in what order. Consecutive ids always differ; ids ten apart
 * share a colour (the palette stays distinguishable on the dark and light themes).
 */
export const RUN_PALETTE = ['#2dd4bf', '#f472b6', '#fbbf24', '#60a5fa', '#a78bfa', '#fb923c', '#4ade80', '#f87171', '#22d3ee', '#e879f9'] as const

export function runColour(runId: number): string {
  const n = RUN_PALETTE.length
  return RUN_PALETTE[(((Math.trunc(runId) - 1) % n) + n) % n]
}
