/**
 * PyTorch's figure for the same work, measured in the same `npm run bench` run: each bench named
 * here runs its script in bench/baselines with Debian's python3-torch on OpenBLAS, once per thread
 * count (1 and 2; the best counts, as a user would pick), and its line gains `torch`,
 * `torch_threads`, `torch_runs` and `vs_torch` (above 1 = Quarkade is faster).
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { round, type BenchResult } from './util'

const PYTHON = process.env.QUARKADE_PYTHON ?? '/usr/bin/python3'

/**
 * OpenBLAS tuning variables that pin its kernels (OPENBLAS_CORETYPE=Haswell on the development machine:
 * AVX2 kernels on a CPU with AVX-512). A user's machine sets neither, so the peer runs without them, as
 * the issue that set these targets measured it — and so does Quarkade's side of the comparison
 * (bench/run.ts drops them before the BLAS loads): the same machine, the same OpenBLAS, one run.
 */
export const OPENBLAS_TUNING = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const
const THREADS = [1, 2]

interface Peer {
  script: string
  /** The key of the script's JSON output that holds its median. */
  key: string
  /** Seconds (lower is better) or a rate (higher is better). */
  better: 'lower' | 'higher'
}

export const PEERS: Record<string, Peer> = {
  catch_time_to_win90_s: { script: 'torch_dqn_catch.py', key: 'torch_catch_time_to_win90_s_median', better: 'lower' },
  snake_conv_dqn_grad_steps_per_s: { script: 'torch_snake_conv.py', key: 'torch_snake_conv_grad_steps_per_s_median', better: 'higher' },
  vae_images_per_s: { script: 'torch_vae.py', key: 'torch_vae_images_per_s_median', better: 'higher' },
}

/** The peer's best figure over the thread counts, or why there is none (no python3-torch here). */
export function peerFigures(name: string, ours: BenchResult): Record<string, unknown> {
  const peer = PEERS[name]
  if (!peer) return {}
  const env = { ...process.env }
  for (const name of OPENBLAS_TUNING) delete env[name]
  const runs: { threads: number; value: number }[] = []
  for (const threads of THREADS) {
    const r = spawnSync(PYTHON, [path.join(import.meta.dirname, 'baselines', peer.script), String(threads)], { encoding: 'utf8', env, timeout: 900_000 })
    if (r.status !== 0) return { torch: null, torch_problem: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() }
    const value = JSON.parse(r.stdout.trim().split('\n').pop()!)[peer.key] as number | null
    if (typeof value === 'number') runs.push({ threads, value })
  }
  if (runs.length === 0) return { torch: null, torch_problem: 'the baseline did not reach its goal' }
  const best = runs.reduce((a, b) => ((peer.better === 'lower' ? b.value < a.value : b.value > a.value) ? b : a))
  const vs = ours.value === null ? null : peer.better === 'lower' ? best.value / ours.value : ours.value / best.value
  return { torch: best.value, torch_threads: best.threads, torch_runs: runs, vs_torch: vs === null ? null : round(vs, 3) }
}
