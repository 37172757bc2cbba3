/**
 * Checkpoint folders and the order that keeps them crash-safe.
 *
 * The trainer writes a whole checkpoint (model + training state) under a temp
 * name and renames it into place; the host records it in SQLite; only after
 * that record does the host drop the training state of older checkpoints. A
 * kill at any moment therefore leaves the newest *recorded* checkpoint with
 * complete training state. Folders no row points to (a checkpoint written but
 * never recorded, `*.tmp` leftovers) are removed before a run continues, and
 * folders of runs the database does not know are set aside, never reused.
 */
import fs from 'node:fs'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { TRAINING_STATE_FILE, dropTrainingState, hasTrainingState, writeModelFolder, writeTrainingState } from './model-files'

const TMP_SUFFIX = '.tmp'

/**
 * Tests only: the trainer kills itself (SIGKILL) right after this checkpoint
 * folder (its base name, e.g. `episode-200`) is in place and before the host
 * has recorded it — the moment a crash used to lose the training state.
 */
export const CRASH_AFTER_CHECKPOINT_WRITE_ENV = 'QUARKADE_TEST_CRASH_AFTER_CHECKPOINT_WRITE'

export interface CheckpointContent {
  model: tf.io.ModelArtifacts | null
  state: { meta: Record<string, unknown>; blobs: Record<string, Uint8Array> } | null
}

/** Trainer side: puts one complete checkpoint folder at `dir`. */
export function writeCheckpoint(dir: string, content: CheckpointContent): void {
  if (fs.existsSync(dir)) {
    // Only a recorded checkpoint at this same episode can be here (the host removes unrecorded
    // folders before a run continues): a stop right after a periodic checkpoint, or a model-only
    // import. Nothing trained since, so only what it lacks is added; the state file goes last.
    if (content.model && !hasModel(dir)) writeModelFolder(dir, content.model)
    if (content.state && !hasTrainingState(dir)) writeTrainingState(dir, content.state.meta, content.state.blobs)
  } else {
    const tmp = dir + TMP_SUFFIX
    fs.rmSync(tmp, { recursive: true, force: true })
    fs.mkdirSync(tmp, { recursive: true })
    if (content.model) writeModelFolder(tmp, content.model)
    if (content.state) writeTrainingState(tmp, content.state.meta, content.state.blobs)
    fs.renameSync(tmp, dir)
  }
  if (process.env[CRASH_AFTER_CHECKPOINT_WRITE_ENV] === path.basename(dir)) process.kill(process.pid, 'SIGKILL')
}

/** A checkpoint a run can continue from exactly: its model (if it has one) and its whole training state. */
export function canResumeFrom(dir: string): boolean {
  if (!hasTrainingState(dir)) return false
  const { blobs } = JSON.parse(fs.readFileSync(path.join(dir, TRAINING_STATE_FILE), 'utf8')) as { blobs: string[] }
  return blobs.every((name) => fs.existsSync(path.join(dir, name)))
}

export function hasModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json'))
}

/**
 * Host side, after the checkpoint at `newest` is recorded: older checkpoints keep
 * their models but give up their (large) training state.
 */
export function dropOlderTrainingState(checkpoints: readonly { episode: number; path: string }[], newest: number): void {
  for (const c of checkpoints) if (c.episode < newest) dropTrainingState(c.path)
}

/** Removes everything in a run's checkpoint folder that no recorded checkpoint owns, and `*.tmp` files in those it keeps. */
export function removeUnrecorded(runDir: string, recorded: readonly string[]): void {
  if (!fs.existsSync(runDir)) return
  // By folder name: a data directory that was moved still holds its own checkpoints.
  const keep = new Set(recorded.map((p) => path.basename(p)))
  for (const name of fs.readdirSync(runDir)) {
    const full = path.join(runDir, name)
    if (!keep.has(name)) fs.rmSync(full, { recursive: true, force: true })
    else if (fs.statSync(full).isDirectory()) {
      // Half-written files of a write that was cut short (model.json.tmp, training-state.json.tmp).
      for (const file of fs.readdirSync(full)) if (file.endsWith(TMP_SUFFIX)) fs.rmSync(path.join(full, file), { force: true })
    }
  }
}

/**
 * Moves `run-<id>` folders whose run the database does not hold (a database that was
 * deleted, emptied or replaced) to `orphaned/`, so a new run with the same id starts clean
 * and nothing on disk is lost. Returns the folders moved.
 */
export function setAsideUnowned(checkpointDir: string, isOwned: (runId: number) => boolean): string[] {
  if (!fs.existsSync(checkpointDir)) return []
  const moved: string[] = []
  for (const name of fs.readdirSync(checkpointDir)) {
    const m = /^run-(\d+)$/.exec(name)
    if (!m || isOwned(Number(m[1]))) continue
    const target = path.join(checkpointDir, 'orphaned', `${name}-${Date.now()}`)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    try {
      fs.renameSync(path.join(checkpointDir, name), target)
      moved.push(target)
    } catch (e) {
      // Another host opening the same folder moved it first.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
  }
  return moved
}
