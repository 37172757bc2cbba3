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
  },
  server: {
    host: '127.0.0.1',
  },
})
