/**
 * Installing a missing system package for the tests (ensure-chromium.mjs, ensure-python.mjs): only
 * as root on Debian/Ubuntu, with apt-get; everyone else is told what to install.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

export function isDebianLike() {
  try {
    const osr = fs.readFileSync('/etc/os-release', 'utf8')
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osr)
  } catch {
    return false
  }
}

/** Whether this process may install with apt-get (Linux, root, Debian-like). */
export function canAptInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  return process.platform === 'linux' && isRoot && isDebianLike()
}

/** apt-get update + install; `tag` prefixes the log lines. Returns whether both succeeded. */
export function aptInstall(tag, packages) {
  const run = (cmd, args) => {
    console.log(`${tag}: ${cmd} ${args.join(' ')}`)
    return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0
  }
  return run('apt-get', ['update']) && run('apt-get', ['install', '-y', '--no-install-recommends', ...packages])
}
