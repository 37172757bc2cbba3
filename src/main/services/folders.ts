/**
 * Which places on the host's disk the API may read and write. The CLI trusts
 * its user (the shell already can do anything); the web host and the desktop
 * app confine what a page — or a script that got into one — can reach:
 *
 * - writes (`runs.export`) only into the data folder's `exports/`, folders
 *   given with `--allow-dir` (web), or folders the user chose in the native
 *   save dialog (desktop); `exportModel` never overwrites a model file;
 * - reads (`files.*`, `jets.*`, `runs.start` data, `models.import`) in web mode
 *   only inside the data folder and the `--allow-dir` folders. A refused path
 *   gets the same message whether or not it exists, so the API is no oracle
 *   for what lies elsewhere.
 *
 * Paths are checked as written (after resolving `..`) and again after following
 * symbolic links, so neither `../` nor a link inside an allowed folder escapes it.
 */
import fs from 'node:fs'
import path from 'node:path'

export class FolderError extends Error {
  override name = 'FolderError'
}

function inside(p: string, root: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel))
}

/** `p` with symbolic links followed as far as the path exists (the rest as written). */
function realPathOf(p: string): string {
  const rest: string[] = []
  let dir = p
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(dir), ...rest.reverse())
    } catch {
      const parent = path.dirname(dir)
      if (parent === dir) return p
      rest.push(path.basename(dir))
      dir = parent
    }
  }
}

export interface FolderPolicyOptions {
  /** Folders (and everything below them) exports may be written into. */
  writeRoots: string[]
  /** Folders reads are confined to; null: any path may be read. */
  readRoots: string[] | null
  /** How the user adds a folder, ending the refusal message (e.g. "start the host with --allow-dir DIR"). */
  howToAllow: string
}

export class FolderPolicy {
  private readonly writeRoots: string[]
  private readonly readRoots: string[] | null

  /** No confinement: the command line, where the user is already at a shell. */
  static unrestricted(): FolderPolicy {
    return new FolderPolicy(null)
  }

  private constructor(private readonly opts: FolderPolicyOptions | null) {
    this.writeRoots = opts ? opts.writeRoots.map((r) => path.resolve(r)) : []
    this.readRoots = opts?.readRoots ? opts.readRoots.map((r) => path.resolve(r)) : null
  }

  static confined(opts: FolderPolicyOptions): FolderPolicy {
    return new FolderPolicy(opts)
  }

  get confined(): boolean {
    return this.opts !== null
  }

  /** Adds a folder the user chose in a native dialog to the places exports may go. */
  grantWrite(dir: string): void {
    if (this.opts) this.writeRoots.push(path.resolve(dir))
  }

  /** The absolute folder an export may write to (exportModel refuses to overwrite); throws a one-line reason if not. */
  exportTarget(dir: string): string {
    if (this.opts) {
      if (!path.isAbsolute(dir)) throw new FolderError(`${dir}: give an absolute folder path`)
      const target = path.resolve(dir)
      if (!this.allowed(target, this.writeRoots)) {
        throw new FolderError(`${target} is outside the folders Quarkade may write to (${this.writeRoots.join(', ')}); ${this.opts.howToAllow}`)
      }
    }
    return path.resolve(dir)
  }

  /** The absolute path of a file or folder the API may read; the refusal does not say whether it exists. */
  readable(p: string): string {
    const full = path.resolve(p)
    if (!this.opts || !this.readRoots) return full
    if (!path.isAbsolute(p) || !this.allowed(full, this.readRoots)) {
      throw new FolderError(`${p} is outside the folders this host may read (${this.readRoots.join(', ')}); ${this.opts.howToAllow}`)
    }
    return full
  }

  private allowed(p: string, roots: string[]): boolean {
    const real = realPathOf(p)
    return roots.some((root) => inside(p, root) && inside(real, realPathOf(root)))
  }
}
