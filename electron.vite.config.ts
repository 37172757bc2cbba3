import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { cspHtmlPlugin } from './src/main/security/csp'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The trainer runs in its own utility process and metric queries in a worker thread, so each is its own entry.
        input: {
          index: resolve('src/main/index.ts'),
          trainer: resolve('src/main/trainer/index.ts'),
          'metrics-worker': resolve('src/main/services/metrics-worker.js'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        // Sandboxed preloads must be CommonJS, and must bundle their imports (zod, the shared schemas).
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
      externalizeDeps: false,
    },
  },
  renderer: {
    root: 'src/renderer',
    // strictExecutionOrder: module bodies run in import order across shared chunks (zod is configured first, see vite.web.config.ts).
    build: { rollupOptions: { input: resolve('src/renderer/index.html'), output: { strictExecutionOrder: true } } },
    plugins: [vue(), cspHtmlPlugin()],
  },
})
