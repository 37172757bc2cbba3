/**
 * Errors for HDF5 files. Every problem with a file is an H5FileError that names the file and says
 * what is wrong with it in one line, so the CLI and the app can show it as is.
 */
import path from 'node:path'

export type H5ProblemCode =
  | 'not_found' // no such file, or it is a directory
  | 'not_hdf5' // no HDF5 signature
  | 'truncated' // shorter than its superblock says
  | 'unreadable' // libhdf5 refused to open or read it
  | 'missing_dataset' // a dataset the schema needs is not there
  | 'channels_first' // X_jets is (N, 3, H, W)
  | 'wrong_rank' // a dataset has the wrong number of dimensions
  | 'length_mismatch' // m0/pt/y do not have one value per X_jets event
  | 'unsupported_dtype' // e.g. strings or integers where floats are needed
  | 'unsupported_filter' // a compression filter we cannot decode
  | 'bad_range' // a slice outside the dataset, or too large to read at once
  | 'implausible_size' // a dataset claims more data than the file can hold (corrupt or crafted)
  | 'closed' // the file was closed

export class H5FileError extends Error {
  override readonly name = 'H5FileError'
  /** The full path of the file. */
  readonly file: string
  readonly code: H5ProblemCode
  /** What is wrong, without the file name. */
  readonly problem: string

  constructor(file: string, code: H5ProblemCode, problem: string) {
    super(`${path.basename(file)}: ${problem}`)
    this.file = file
    this.code = code
    this.problem = problem
  }
}

/**
 * One short line from libhdf5's printed error stack (the innermost message of the first stack,
 * e.g. "file signature not found"), or from an exception when nothing was printed.
 */
export function hdf5Reason(diagnostics: string, error?: unknown): string {
  const stacks = diagnostics.split('HDF5-DIAG').filter((s) => s.includes('#'))
  let reason = ''
  for (const line of (stacks[0] ?? '').split('\n')) {
    const m = /#\d+:.*? in [A-Za-z0-9_]+\(\): (.*)$/.exec(line)
    if (m) reason = m[1].trim()
  }
  if (!reason && error !== undefined) reason = (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim())?.trim() ?? ''
  return (reason || 'unknown HDF5 error').replace(/\s+/g, ' ')
}
