#!/usr/bin/env node
// The `quarkade` command. It runs the built CLI (out/node/cli.js, `npm run build:node`) while that
// build is fresh: no source file listed in out/node/inputs.json is newer than inputs.json itself.
// Otherwise (a fresh checkout, an edited source, QUARKADE_FROM_SOURCE=1) it runs the TypeScript
// sources through tsx, which needs no build and starts slower. QUARKADE_DEBUG=1 says which it took.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const built = path.join(root, 'out/node')

/** Why the build cannot be used, or null when it can. */
function staleReason() {
  if (process.env.QUARKADE_FROM_SOURCE) return 'QUARKADE_FROM_SOURCE is set'
  let manifest
  try {
    manifest = path.join(built, 'inputs.json')
    const builtAt = fs.statSync(manifest).mtimeMs
    for (const input of JSON.parse(fs.readFileSync(manifest, 'utf8')).inputs) {
      const mtime = fs.statSync(path.join(root, input), { throwIfNoEntry: false })?.mtimeMs
      if (mtime === undefined || mtime > builtAt) return `${input} changed after the build`
    }
  } catch {
    return 'no build in out/node'
  }
  return null
}

const reason = staleReason()
let cli
if (reason === null) {
  if (process.env.QUARKADE_DEBUG) process.stderr.write('quarkade: running the built CLI (out/node/cli.js)\n')
  cli = createRequire(import.meta.url)(path.join(built, 'cli.js'))
} else {
  if (process.env.QUARKADE_DEBUG) process.stderr.write(`quarkade: running the TypeScript sources through tsx (${reason}; npm run build:node)\n`)
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import('../src/main/hosts/cli.ts')
}
process.exitCode = await cli.main(process.argv.slice(2))
