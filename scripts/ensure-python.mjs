#!/usr/bin/env node
/**
 * Makes sure the python the LArTPC tests make their fixtures with (real scipy.sparse.save_npz and
 * h5py files) imports scipy and h5py. Uses QUARKADE_PYTHON if set, else /usr/bin/python3 — not the
 * `python3` on PATH, which may be a pyenv or venv without them. If they are missing and we are root
 * on Debian/Ubuntu, installs python3-scipy and python3-h5py with apt; otherwise explains what to do.
 * Exits 0 only when they import.
 */
import { spawnSync } from 'node:child_process'
import { aptInstall, canAptInstall } from './apt-install.mjs'

const python = process.env.QUARKADE_PYTHON || '/usr/bin/python3'

function imports() {
  const r = spawnSync(python, ['-c', 'import scipy.sparse, h5py, numpy; print(scipy.__version__, h5py.__version__)'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

const found = imports()
if (found) {
  console.log(`ensure-python: ${python} has scipy and h5py (${found})`)
  process.exit(0)
}

if (canAptInstall() && !process.env.QUARKADE_PYTHON) {
  console.log(`ensure-python: ${python} lacks scipy or h5py; installing python3-scipy and python3-h5py…`)
  if (aptInstall('ensure-python', ['python3-scipy', 'python3-h5py']) && imports()) {
    console.log('ensure-python: installed python3-scipy and python3-h5py')
    process.exit(0)
  }
  console.error('ensure-python: installing python3-scipy python3-h5py with apt-get failed (see above).')
  process.exit(1)
}

console.error(
  [
    `ensure-python: ${python} cannot import scipy and h5py.`,
    'The LArTPC data tests write their fixtures with real scipy.sparse.save_npz and h5py. Either:',
    '  • install them (Debian/Ubuntu: sudo apt-get install python3-scipy python3-h5py), or',
    '  • point QUARKADE_PYTHON at a python that has them, e.g. QUARKADE_PYTHON=~/venv/bin/python npm test',
  ].join('\n'),
)
process.exit(1)
