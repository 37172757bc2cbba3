/**
 * Builds the renderer as a plain web app into out/web, which the web host
 * (src/main/hosts/web.ts) serves next to its WebSocket API.
 */
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { cspHtmlPlugin } from './src/main/security/csp'

const root = resolve(import.meta.dirname, 'src/renderer')

export default defineConfig({
  root,
  base: './',
  plugins: [vue(), cspHtmlPlugin()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    // Module bodies run in import order even when code splitting moves them into shared chunks:
    // src/renderer/src/main.ts configures zod (no eval, for the CSP) before any schema is built.
    rolldownOptions: { output: { strictExecutionOrder: true } },
  },
  server: {
    host: '127.0.0.1',
  },
})
