/**
 * A detector file or folder that cannot be read: one line naming the file (or folder) and the
 * problem, shown as is by the CLI and the app. HDF5-level problems stay H5FileErrors (same shape).
 */
import path from 'node:path'

export class DetectorFileError extends Error {
  override readonly name = 'DetectorFileError'
  /** The full path of the file or folder. */
  readonly file: string
  /** What is wrong, without the file name. */
  readonly problem: string

  constructor(file: string, problem: string) {
    super(`${path.basename(file)}: ${problem}`)
    this.file = file
    this.problem = problem
  }
}

/** Largest image side any format may declare (4096² float32 is 64 MiB per event). */
export const MAX_SIDE = 4096
