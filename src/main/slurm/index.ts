/**
 * Training on a Slurm cluster: one run or N runs (a sweep) as one `sbatch` array job whose task i
 * runs `quarkade train <argv i> --json` from this same installation, each into a run store of its
 * own on the shared filesystem; finished tasks are imported into the user's run store.
 *
 * Use, for N tasks (every function that talks to Slurm takes `env`, default process.env — where
 * SLURM_CONF and PATH come from):
 *
 *   const ok = await slurmAvailability()            // { ok: false, reason } → show reason, stop
 *   const argv = portableTrainArgs(['--env', 'catch', '--seed', '1', …], { dataDir, dir })
 *   const sub = prepareSubmission({ dir, tasks: [{ argv, label }, …], options: { partition, time,
 *     cpusPerTask, gpusPerTask, account, jobName, extraLines } })   // ConfigError before writing
 *   show(sub.script)                                // also saved as <dir>/job.sbatch
 *   const jobId = await submit(dir)                 // sbatch --parsable; task i is `${jobId}_${i}`
 *   const tasks = await watchSubmission(dir, store, { onEvent })   // polls, imports, until all final
 *   // or, one look (CLI `quarkade slurm status`, a UI refresh): await syncSubmission(dir, store)
 *   await cancel(dir, [2])                          // scancel JOB_2 (all tasks without indices)
 *   await resubmit(dir)                             // failed/cancelled/timed-out tasks, new array job
 *   // (or resubmit(dir, [2]); each attempt gets its own folder and store, imported on its own)
 *
 * `store` is the user's RunStore — in a host, `services.store`: imports run in the process that owns
 * it, so it keeps one writer; they emit no API events, so a host tells its clients (e.g. publish
 * `run.updated` for each imported run id) when it wants lists to refresh.
 * `dir` must be on a filesystem the compute nodes see at the same path (defaultSubmissionDir puts
 * it under the data folder). Events from watchSubmission: `task` (a task's state changed),
 * `imported` (its runs landed: { sourceRunId, runId, copied }), `progress` (after every poll:
 * total, finished, counts per state).
 *
 * `TaskProgress` (from sync/watch) says per task: index, label, slurmId, state (TaskState:
 * pending, running, completed, failed, timeout, cancelled, out_of_memory, unknown, unsubmitted),
 * stateLabel ("Timed out"), detail (Slurm's words), source (squeue | sacct | exit-marker) and
 * runIds (ids in the user's store once imported). States come from squeue, then sacct, then the
 * task's exit marker where the cluster keeps no accounting (states.ts says how each maps).
 *
 * The folder layout is in submission.ts, the script in script.ts, the import in import.ts.
 * Nothing here needs a database migration: what was submitted and imported lives in the
 * submission's manifest (`submission.json`).
 */
export { slurmAvailability, SlurmMissingError, type SlurmAvailability, type SlurmEnv } from './command'
export { batchScript, checkSlurmOptions, type QuarkadeCommand, type SlurmOptions } from './script'
export {
  cancel,
  defaultSubmissionDir,
  findSubmission,
  prepareSubmission,
  submissionScript,
  readSubmission,
  submit,
  thisQuarkade,
  type Submission,
  type SubmissionManifest,
  type TaskInput,
} from './submission'
export { FINAL_STATES, RETRY_STATES, TASK_STATE_LABELS, isFinal, resubmit, stateFromMarker, taskStatuses, type TaskState, type TaskStatus } from './states'
export { importStore, type ImportedRun } from './import'
export { allDone, countStates, syncSubmission, watchSubmission, type SlurmEvent, type TaskProgress } from './watch'
export { portableTrainArgs } from './portable-args'
