/** Chart options shared by every chart (the smoothing slider) and kept between sessions. */

/** The slider's top: TensorBoard's, where a point weighs 1 % of the average. */
export const MAX_SMOOTHING = 0.99
/** TensorBoard's default weight. */
export const DEFAULT_SMOOTHING = 0.6

/** A stored or typed smoothing weight, clamped to [0, MAX_SMOOTHING]; the default where it is not a number. */
export function readSmoothing(raw: string | null | undefined): number {
  if (raw === null || raw === undefined || raw.trim() === '') return DEFAULT_SMOOTHING
  const v = Number(raw)
  if (!Number.isFinite(v)) return DEFAULT_SMOOTHING
  return Math.min(MAX_SMOOTHING, Math.max(0, v))
}
