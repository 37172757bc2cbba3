/**
 * The web host: the services plus the renderer bundle served to a browser, with
 * the API on a WebSocket at /api. Binds 127.0.0.1 unless told otherwise, and
 * accepts WebSocket connections only from its own origin.
 *
 *   npm run web -- [--port 5180] [--host 127.0.0.1] [--data-dir DIR] [--static out/web]
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocketServer, type WebSocket } from 'ws'
import { apiEventSchema, type ApiEvent } from '../../shared/api'
import { WS_PATH, wsRequestSchema, type WsServerMessage } from '../../shared/transport'
import { defaultDataDir } from '../services/data-dir'
import { createServices, type Services } from '../services'
import { childProcessLauncher } from '../services/launcher'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
}

export interface WebHost {
  url: string
  services: Services
  close(): Promise<void>
}

export async function startWebHost(opts: { port: number; host: string; dataDir: string; staticDir: string }): Promise<WebHost> {
  const staticDir = path.resolve(opts.staticDir)
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    throw new Error(`no renderer bundle in ${staticDir} (build it with: npx vite build --config vite.web.config.ts)`)
  }
  const services = createServices({ dataDir: opts.dataDir, launcher: childProcessLauncher(), host: 'web' })

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    let rel = decodeURIComponent(url.pathname)
    if (rel === '/') rel = '/index.html'
    const file = path.join(staticDir, path.normalize(rel))
    if (!file.startsWith(staticDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    })
    fs.createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin
    const sameOrigin = !origin || new URL(origin).host === req.headers.host
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== WS_PATH || !sameOrigin) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, services))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, resolve)
  })
  const address = server.address() as { port: number }
  return {
    url: `http://${opts.host}:${address.port}`,
    services,
    async close() {
      for (const c of wss.clients) c.terminate()
      await new Promise((r) => server.close(r))
      await services.close()
    },
  }
}

function serveSocket(ws: WebSocket, services: Services): void {
  const send = (m: WsServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
  }
  const unsubscribe = services.api.subscribe((event: ApiEvent) => send({ event: apiEventSchema.parse(event) }))
  ws.on('close', unsubscribe)
  ws.on('message', async (data) => {
    let request
    try {
      request = wsRequestSchema.parse(JSON.parse(data.toString()))
    } catch {
      return ws.close(1003, 'malformed request')
    }
    try {
      send({ id: request.id, ok: true, result: await services.api.handle(request.method, request.input) })
    } catch (e) {
      send({ id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) })
    }
  })
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5180' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      static: { type: 'string', default: fileURLToPath(new URL('../../../out/web', import.meta.url)) },
    },
  })
  const host = await startWebHost({
    port: Number(values.port),
    host: values.host!,
    dataDir: values['data-dir'] ?? defaultDataDir(),
    staticDir: values.static!,
  })
  if (values.host !== '127.0.0.1' && values.host !== 'localhost') {
    console.warn(`warning: serving on ${values.host}; anyone who can reach this address can start and delete runs`)
  }
  console.log(`QUARKADE_WEB_READY ${host.url}`)
  console.log(`Quarkade web mode: open ${host.url} (data in ${host.services.store.dir}); Ctrl-C to quit`)
  const quit = (): void => void host.close().then(() => process.exit(0))
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`quarkade web: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  })
}
