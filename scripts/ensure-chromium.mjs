#!/usr/bin/env node
/**
 * Makes sure a Chromium binary exists for the end-to-end tests.
 * Uses CHROMIUM_PATH if set, else /usr/bin/chromium. If it is missing and we are
 * root on Debian/Ubuntu, installs the distribution's `chromium` package with apt;
 * otherwise explains what to do. Exits 0 only when Chromium is available.
 */
import fs from 'node:fs'
import { aptInstall, canAptInstall } from './apt-install.mjs'

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

function executable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

if (executable(path)) {
  console.log(`ensure-chromium: using ${path}`)
  process.exit(0)
}

if (canAptInstall() && !process.env.CHROMIUM_PATH) {
  console.log(`ensure-chromium: ${path} not found; installing the chromium package…`)
  if (aptInstall('ensure-chromium', ['chromium']) && executable(path)) {
    console.log(`ensure-chromium: installed ${path}`)
    process.exit(0)
  }
  console.error('ensure-chromium: installing chromium with apt-get failed (see above).')
  process.exit(1)
}

console.error(
  [
    `ensure-chromium: no Chromium at ${path}.`,
    'The end-to-end tests drive a real Chromium. Either:',
    '  • install it (Debian/Ubuntu: sudo apt-get install chromium; Fedora: sudo dnf install chromium;',
    '    macOS: brew install --cask chromium), or',
    '  • point CHROMIUM_PATH at an existing Chromium/Chrome binary, e.g.',
    '    CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" npm run test:e2e',
  ].join('\n'),
)
process.exit(1)
