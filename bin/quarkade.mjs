#!/usr/bin/env node
// The `quarkade` command: runs the TypeScript CLI host through tsx, so no build step is needed.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main/hosts/cli.ts')
process.exitCode = await main(process.argv.slice(2))
