/**
 * The sweeps part of the API contract (src/shared/api.ts registers it): a
 * sweep as listed, its runs (one per configuration × seed) and its
 * configurations with the final metric's mean ± std over their seeds.
 */
import { z } from 'zod'
import type { SweepSpec, SweepValue } from '../core/sweep'

export const SWEEP_STATUSES = ['running', 'paused', 'completed', 'cancelled'] as const
export type SweepStatus = (typeof SWEEP_STATUSES)[number]
/** A sweep run: waiting for a slot, handed to a trainer, landed, failed, or cancelled before it landed. */
export const SWEEP_RUN_STATUSES = ['pending', 'active', 'done', 'failed', 'cancelled'] as const
export type SweepRunStatus = (typeof SWEEP_RUN_STATUSES)[number]

export const sweepSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  env: z.string(),
  algo: z.string(),
  status: z.enum(SWEEP_STATUSES),
  statusReason: z.string().nullable(),
  /** Where its runs train. */
  backend: z.enum(['local', 'slurm']),
  spec: z.custom<SweepSpec>(),
  createdAt: z.number(),
  endedAt: z.number().nullable(),
  /** Runs per status, and in all. */
  counts: z.record(z.enum(SWEEP_RUN_STATUSES), z.number()),
  total: z.number(),
})
export type SweepSummary = z.infer<typeof sweepSummarySchema>

export const sweepRunSchema = z.object({
  configIndex: z.number(),
  seedIndex: z.number(),
  seed: z.number(),
  runId: z.number().nullable(),
  status: z.enum(SWEEP_RUN_STATUSES),
  /** Why it failed or was cancelled (the run's own reason where it has one). */
  reason: z.string().nullable(),
  /** The run's own status and progress, while it exists. */
  runStatus: z.string().nullable(),
  episodesDone: z.number(),
  episodes: z.number(),
  /** The optimised metric's last value: its value at the end once the run has landed. */
  metric: z.number().nullable(),
  backend: z.string().nullable(),
  slurmJobId: z.string().nullable(),
  slurmTask: z.number().nullable(),
  slurmState: z.string().nullable(),
})
export type SweepRun = z.infer<typeof sweepRunSchema>

export const sweepConfigRowSchema = z.object({
  index: z.number(),
  values: z.record(z.string(), z.custom<SweepValue>()),
  /** Runs of this configuration that landed, and all of them. */
  landed: z.number(),
  runs: z.number(),
  /** Mean and sample standard deviation of the final metric over the landed runs (std needs two). */
  mean: z.number().nullable(),
  std: z.number().nullable(),
  /** The best mean of the sweep, in the metric's direction. */
  best: z.boolean(),
})
export type SweepConfigRow = z.infer<typeof sweepConfigRowSchema>

export const sweepDetailSchema = z.object({
  sweep: sweepSummarySchema,
  runs: z.array(sweepRunSchema),
  configs: z.array(sweepConfigRowSchema),
})
export type SweepDetail = z.infer<typeof sweepDetailSchema>
