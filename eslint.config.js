/**
 * The import boundaries between layers (docs/architecture.md, "Layers"), run by
 * `npm run lint` and so by `npm test`. Paths are resolved, not matched as text:
 * `../main/x`, `import('node:fs')`, `import type … from 'electron'` and
 * re-exports all count. test/unit/layers.test.ts shows each rule reporting.
 */
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'
import vueParser from 'vue-eslint-parser'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'

/** Packages that load only in Node or Electron's main process. */
const nodeOnlyPackages = ['electron', 'better-sqlite3', 'h5wasm', 'h5wasm-plugins', 'ws']
/** Packages of the renderer's UI. */
const uiPackages = ['vue', 'pinia', 'pixi.js']
const packages = (names) => names.map((name) => `node_modules/${name}`)

/** One zone per rule: files under `target` may not import anything under `from` (except `except`, relative to `from`). */
const zones = [
  {
    target: 'src/core',
    from: ['src/shared', 'src/main', 'src/preload', 'src/renderer'],
    message: 'src/core is the bottom layer and imports no other layer.',
  },
  {
    target: 'src/core',
    from: packages([...nodeOnlyPackages, ...uiPackages]),
    message: 'src/core runs in every process: no Node-only or UI packages.',
  },
  {
    target: 'src/shared',
    from: ['src/main', 'src/preload', 'src/renderer'],
    message: 'src/shared imports only src/core (and zod).',
  },
  { target: 'src/shared', from: 'node_modules', except: ['zod'], message: 'src/shared imports only src/core (and zod).' },
  {
    target: 'src/preload',
    from: ['src/core', 'src/main', 'src/renderer'],
    message: 'src/preload imports only src/shared and electron.',
  },
  { target: 'src/preload', from: 'node_modules', except: ['electron'], message: 'src/preload imports only src/shared and electron.' },
  {
    target: 'src/renderer',
    from: ['src/main', 'src/preload', ...packages(nodeOnlyPackages)],
    message: 'src/renderer talks to the services only through its API adapter; it imports no Node-side code.',
  },
  { target: 'src/main', from: 'src/renderer', message: 'src/main never imports the renderer.' },
]

export default defineConfig(
  { ignores: ['out/**', 'dist/**', 'node_modules/**'] },
  {
    files: ['src/**/*.ts', 'src/**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, sourceType: 'module', extraFileExtensions: ['.vue'] },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.vue', '.mjs', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      // An import that does not resolve would slip past the zones unchecked.
      'import-x/no-unresolved': 'error',
    },
  },
  {
    // Node's builtins are for src/main only.
    files: ['src/core/**', 'src/shared/**', 'src/preload/**', 'src/renderer/**'],
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
)
