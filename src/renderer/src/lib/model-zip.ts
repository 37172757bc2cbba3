/**
 * A run's model as one zip download in web mode: model.json + weights.bin (the
 * tfjs LayersModel files `tf.loadLayersModel` reads, and what Import takes back),
 * fetched piece by piece (runs.modelChunk) and zipped as they arrive with fflate
 * (stored, not compressed: weights hardly compress), so no piece is held twice.
 */
import { Zip, ZipPassThrough } from 'fflate'
import type { ApiInput, ApiOutput } from '../../../shared/api'

export type ModelFilesCall = (m: 'runs.modelFiles', input: ApiInput<'runs.modelFiles'>) => Promise<ApiOutput<'runs.modelFiles'>>
export type ModelChunkCall = (m: 'runs.modelChunk', input: ApiInput<'runs.modelChunk'>) => Promise<ApiOutput<'runs.modelChunk'>>

export function fromBase64(data: string): Uint8Array {
  const bin = atob(data)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** The zip's parts for one model; `progress(done, total)` after each piece, in bytes. */
export async function modelZipParts(
  runId: number,
  call: ModelFilesCall & ModelChunkCall,
  progress: (done: number, total: number) => void = () => {},
): Promise<{ parts: Uint8Array[]; checkpoint: number; bytes: number }> {
  const plan = await call('runs.modelFiles', { id: runId })
  const total = plan.files.reduce((a, f) => a + f.bytes, 0)
  const parts: Uint8Array[] = []
  let failed: Error | null = null
  let finished = false
  const zip = new Zip((err, chunk, final) => {
    if (err) failed = err
    else parts.push(chunk)
    if (final) finished = true
  })
  let done = 0
  for (const f of plan.files) {
    const entry = new ZipPassThrough(f.name)
    zip.add(entry)
    let offset: number | null = 0
    while (offset !== null) {
      const piece: ApiOutput<'runs.modelChunk'> = await call('runs.modelChunk', { id: runId, checkpoint: plan.checkpoint, file: f.name, offset })
      const bytes = fromBase64(piece.data)
      entry.push(bytes, piece.next === null)
      done += bytes.length
      progress(done, total)
      offset = piece.next
    }
    if (failed) throw failed
  }
  zip.end()
  if (failed) throw failed
  if (!finished) throw new Error('the zip was not finished')
  return { parts, checkpoint: plan.checkpoint, bytes: total }
}
