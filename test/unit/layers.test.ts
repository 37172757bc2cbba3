/**
 * The layer rules of eslint.config.js (docs/architecture.md, "Layers"): small
 * snippets linted as if they were files in each layer, through ESLint's Node
 * API with the project's own config. Each forbidden import must be reported;
 * each allowed one must pass (and resolve — an unresolved import is reported
 * too, so "allowed" is never vacuous).
 */
import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const eslint = new ESLint({ cwd: root })

/** Rule ids ESLint reports for `code` placed at `file` (relative to the repository). */
async function reported(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) })
  return result.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`)
}

const BOUNDARY = /^import-x\/(no-restricted-paths|no-nodejs-modules): /

interface LayerCase {
  /** A file that does not exist, placed where the layer's files live. */
  file: string
  forbidden: string[]
  allowed: string[]
}

const layers: Record<string, LayerCase> = {
  core: {
    file: 'src/core/agents/layer-probe.ts',
    forbidden: [
      "import type { ApiEvent } from '../../shared/api'",
      "import { JobService } from '../../main/services/jobs'",
      "export * from '../../preload/index'",
      "export { api } from '../../renderer/src/api'",
      "const fs = await import('node:fs/promises')",
      "import fs from 'fs'",
      "import { app } from 'electron'",
      "import Database from 'better-sqlite3'",
      "import * as h5 from 'h5wasm'",
      "import { WebSocket } from 'ws'",
      "import { ref } from 'vue'",
      "import { defineStore } from 'pinia'",
      "import { Container } from 'pixi.js'",
    ],
    allowed: ["import { Rng } from '../rng'", "import type { Env } from '../env'", "import * as tf from '@tensorflow/tfjs'", "import { z } from 'zod'"],
  },
  shared: {
    file: 'src/shared/layer-probe.ts',
    forbidden: [
      "import { JobService } from '../main/services/jobs'",
      "import '../preload/index'",
      "import { api } from '../renderer/src/api'",
      "import path from 'node:path'",
      "import { WebSocket } from 'ws'",
      "import * as tf from '@tensorflow/tfjs'",
    ],
    allowed: ["import { Rng } from '../core/rng'", "import { z } from 'zod'", "import type { ApiEvent } from './api'"],
  },
  preload: {
    file: 'src/preload/layer-probe.ts',
    forbidden: [
      "import { Rng } from '../core/rng'",
      "import { JobService } from '../main/services/jobs'",
      "import { api } from '../renderer/src/api'",
      "import fs from 'node:fs'",
      "import { z } from 'zod'",
    ],
    allowed: ["import { contextBridge } from 'electron'", "import { apiMethods } from '../shared/api'", "import { IPC_REQUEST_CHANNEL } from '../shared/transport'"],
  },
  renderer: {
    file: 'src/renderer/src/stores/layer-probe.ts',
    forbidden: [
      "import { JobService } from '../../../main/services/jobs'",
      "import '../../../preload/index'",
      "import { ipcRenderer } from 'electron'",
      "import path from 'node:path'",
      "import { readFileSync } from 'fs'",
      "import Database from 'better-sqlite3'",
    ],
    allowed: [
      "import { ref } from 'vue'",
      "import { defineStore } from 'pinia'",
      "import { Container } from 'pixi.js'",
      "import { Rng } from '../../../core/rng'",
      "import { apiMethods } from '../../../shared/api'",
      "import { api } from '../api'",
    ],
  },
  main: {
    file: 'src/main/services/layer-probe.ts',
    forbidden: ["import { api } from '../../renderer/src/api'", "const { api } = await import('../../renderer/src/api')"],
    allowed: [
      "import fs from 'node:fs'",
      "import Database from 'better-sqlite3'",
      "import { app } from 'electron'",
      "import { Rng } from '../../core/rng'",
      "import { apiMethods } from '../../shared/api'",
      "import { JobService } from './jobs'",
    ],
  },
}

describe('layer boundaries (eslint.config.js)', () => {
  for (const [layer, { file, forbidden, allowed }] of Object.entries(layers)) {
    describe(`src/${layer}`, () => {
      it.each(forbidden)('reports %s', async (code) => {
        const messages = await reported(file, code)
        expect(messages).toHaveLength(1)
        expect(messages[0]).toMatch(BOUNDARY)
      })

      it.each(allowed)('allows %s', async (code) => {
        expect(await reported(file, code)).toEqual([])
      })
    })
  }

  it('checks the script of .vue files in the renderer', async () => {
    const sfc = (code: string) => `<script setup lang="ts">\n${code}\n</script>\n<template><div /></template>\n`
    const file = 'src/renderer/src/components/LayerProbe.vue'
    const bad = await reported(file, sfc("import { ipcRenderer } from 'electron'"))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/^import-x\/no-restricted-paths: .*"electron"/)
    expect(await reported(file, sfc("import { computed } from 'vue'\nimport { Rng } from '../../../core/rng'"))).toEqual([])
  })

  it('names the layer rule in its message', async () => {
    const [message] = await reported(layers.core.file, "import { JobService } from '../../main/services/jobs'")
    expect(message).toContain('src/core is the bottom layer and imports no other layer.')
  })

  it('reports an import that does not resolve, which the zones could not check', async () => {
    const messages = await reported(layers.core.file, "import { x } from '../../main/no-such-module'")
    expect(messages).toEqual([expect.stringMatching(/^import-x\/no-unresolved: /)])
  })
})
