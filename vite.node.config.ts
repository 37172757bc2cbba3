/**
 * Builds the Node entries to plain JavaScript in out/node, so the CLI and its
 * trainer processes start without compiling TypeScript (`npm run build:node`):
 *   cli.js            the `quarkade` command (bin/quarkade.mjs runs it when it is fresh)
 *   web.js            the web host (`npm run web` builds, then runs it)
 *   trainer.js        the trainer process the CLI's launcher forks
 *   metrics-worker.js the metric-query worker thread, found next to the code that starts it
 * Dependencies stay in node_modules (an SSR build leaves them external).
 * inputs.json lists every source file in the build: bin/quarkade.mjs uses the
 * build only while none of them is newer than that file.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'

const root = import.meta.dirname
const requireFromRoot = createRequire(path.join(root, 'package.json'))

/** Writes out/node/inputs.json: the project files the bundles were made from, relative to the root. */
function inputsManifest(): Plugin {
  return {
    name: 'quarkade-inputs-manifest',
    generateBundle() {
      const inputs = [...this.getModuleIds()]
        .filter((id) => path.isAbsolute(id) && id.startsWith(root + path.sep) && !id.includes(`${path.sep}node_modules${path.sep}`))
        .map((id) => path.relative(root, id).split(path.sep).join('/'))
        .sort()
      this.emitFile({ type: 'asset', fileName: 'inputs.json', source: JSON.stringify({ inputs }, null, 1) + '\n' })
      // The bundles are CommonJS (see output.format below); this marks them so for Node.
      this.emitFile({ type: 'asset', fileName: 'package.json', source: JSON.stringify({ type: 'commonjs' }) + '\n' })
    },
  }
}

/**
 * Rewrites `import("pkg")` of a dependency that Node can `require` into a require, as the static
 * imports already are: importing CommonJS from ESM makes Node scan the whole file for its export
 * names (~0.15 s for tfjs-backend-wasm's bundle). Packages with only an ESM entry (h5wasm/node) stay
 * dynamic imports.
 */
function requireDynamicDependencies(): Plugin {
  const requirable = (name: string): boolean => {
    try {
      requireFromRoot.resolve(name)
      return true
    } catch {
      return false
    }
  }
  return {
    name: 'quarkade-require-dynamic-dependencies',
    renderChunk(code) {
      const rewritten = code.replace(/\bimport\("((?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]+)?)"\)/g, (call, name: string) =>
        requirable(name) ? `Promise.resolve().then(() => require(${JSON.stringify(name)}))` : call,
      )
      return rewritten === code ? null : { code: rewritten, map: null }
    },
  }
}

export default defineConfig({
  plugins: [inputsManifest(), requireDynamicDependencies()],
  build: {
    ssr: true,
    outDir: path.join(root, 'out/node'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      input: {
        cli: path.join(root, 'src/main/hosts/cli.ts'),
        web: path.join(root, 'src/main/hosts/web.ts'),
        trainer: path.join(root, 'src/main/trainer/index.ts'),
        'metrics-worker': path.join(root, 'src/main/services/metrics-worker.js'),
      },
      // Shared chunks sit beside the entries: code that finds files next to itself (metrics-worker.js) works from any of them.
      // CommonJS: Node then loads the dependencies (tfjs above all) with require, which skips the
      // ESM loader's scan of each CommonJS file for its export names: a trainer starts ~1 s sooner.
      output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
})
