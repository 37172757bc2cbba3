#!/usr/bin/env node
// better-sqlite3 is a native addon, built for one runtime at a time: Node (CLI,
// web host, tests) or Electron (the desktop app). `node scripts/native-abi.mjs node`
// makes sure it loads in this Node; `... electron` rebuilds it for Electron.
// A marker file remembers which build is in place, so this costs nothing when
// nothing changes.
import { execSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const target = process.argv[2]
const root = path.resolve(import.meta.dirname, '..')
const marker = path.join(root, 'node_modules', '.quarkade-native-abi')
const require = createRequire(import.meta.url)

function loadsInNode() {
  // In a child process: a wrong-ABI addon can crash the process that loads it.
  const probe = "const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get()"
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0
}

function hasNblas() {
  return fs.existsSync(path.join(root, 'node_modules', 'nblas', 'package.json'))
}

function nblasLoadsInNode() {
  return spawnSync(process.execPath, ['-e', "require('nblas').sgemm"], { cwd: root, stdio: 'ignore' }).status === 0
}

function run(cmd) {
  console.log(`> ${cmd}`)
  execSync(cmd, { cwd: root, stdio: 'inherit' })
}

if (target === 'node') {
  if (!loadsInNode()) {
    console.log(`better-sqlite3 is not built for Node ${process.version}; rebuilding it…`)
    run('npm rebuild better-sqlite3')
    if (!loadsInNode()) {
      console.error('better-sqlite3 still does not load in Node: see the build output above (a C++ toolchain and python3 are needed).')
      process.exit(1)
    }
  }
  // nblas (optional: the wasm backend's GEMMs on the system BLAS) may be built for Electron too; without it training is slower, not broken.
  if (hasNblas() && !nblasLoadsInNode()) {
    console.log(`nblas is not built for Node ${process.version}; rebuilding it…`)
    try {
      run('npm rebuild nblas')
    } catch {
      console.warn('nblas did not rebuild (it needs a C++ toolchain and a BLAS such as libopenblas-dev); training uses wasm\'s own kernels.')
    }
  }
  fs.writeFileSync(marker, `node-${process.versions.modules}\n`)
} else if (target === 'electron') {
  const electronVersion = require('electron/package.json').version
  const want = `electron-${electronVersion}\n`
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== want) {
    console.log(`rebuilding native modules for Electron ${electronVersion}…`)
    run('npx electron-builder install-app-deps')
    fs.writeFileSync(marker, want)
  }
} else {
  console.error('usage: node scripts/native-abi.mjs node|electron')
  process.exit(2)
}
