/**
 * The web host: the services plus the renderer bundle served to a browser, with
 * the API on a WebSocket at /api. Binds 127.0.0.1 unless told otherwise. Every
 * request needs the per-start token (web-access.ts); file reads and writes stay
 * in the data folder and --allow-dir folders (services/folders.ts). No request,
 * however malformed, may take the host down: each gets a 400/403/405 or a
 * WebSocket close with a code, and the host keeps serving.
 *
 *   npm run web -- [--port 5180] [--host 127.0.0.1] [--data-dir DIR] [--allow-dir DIR]… [--max-trainers N] [--static out/web]
 */
import fs from 'node:fs'
import http from 'node:http'
import type { Duplex } from 'node:stream'
import { pipeline } from 'node:stream'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocketServer, type WebSocket } from 'ws'
import { apiEventSchema, type ApiEvent } from '../../shared/api'
import { WS_PATH, wsRequestSchema, type WsServerMessage } from '../../shared/transport'
import { defaultDataDir } from '../services/data-dir'
import { FolderPolicy } from '../services/folders'
import { createServices, type Services } from '../services'
import { childProcessLauncher } from '../services/launcher'
import { WebAccess } from './web-access'

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

/** The largest WebSocket message accepted; a bigger one closes the connection with 1009. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

const NO_TOKEN = 'open the address with ?token=… that the Quarkade web host printed when it started'

export interface WebHostOptions {
  port: number
  host: string
  dataDir: string
  staticDir: string
  /** Folders beyond the data folder that the API may read and export into. */
  allowDirs?: string[]
  /** Trainers that may run at once (default: one per CPU core). */
  maxTrainers?: number
}

export interface WebHost {
  /** The host's address, without the token. */
  url: string
  /** The address to open: with `?token=`. */
  openUrl: string
  token: string
  services: Services
  close(): Promise<void>
}

/** The request target as a URL, or null when it is not an origin-form path (`/…`) a URL can hold. */
function requestUrl(target: string | undefined): URL | null {
  if (!target?.startsWith('/') || !URL.canParse(target, 'http://host')) return null
  return new URL(target, 'http://host')
}

function answer(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers }).end(text + '\n')
}

/** Refuses a WebSocket upgrade with an HTTP status and a one-line reason. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = reason + '\n'
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const staticDir = path.resolve(opts.staticDir)
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    throw new Error(`no renderer bundle in ${staticDir} (build it with: npx vite build --config vite.web.config.ts)`)
  }
  const allowDirs = (opts.allowDirs ?? []).map((d) => path.resolve(d))
  for (const d of allowDirs) if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new Error(`--allow-dir ${d}: no such folder`)
  const folders = FolderPolicy.confined({
    writeRoots: [path.join(opts.dataDir, 'exports'), ...allowDirs],
    readRoots: [opts.dataDir, ...allowDirs],
    howToAllow: 'start the web host with --allow-dir FOLDER to allow another folder',
  })
  const services = createServices({
    dataDir: opts.dataDir,
    launcher: childProcessLauncher(),
    host: 'web',
    capabilities: { folders },
    maxTrainers: opts.maxTrainers,
  })
  services.sweeps.resumeInterrupted()
  // The default export folder exists from the start, so it can be chosen and linked to.
  fs.mkdirSync(path.join(opts.dataDir, 'exports'), { recursive: true })
  let access: WebAccess | null = null

  const serveFile = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    let rel: string
    try {
      rel = decodeURIComponent(url.pathname)
    } catch {
      return answer(res, 400, 'bad request: the path is not valid percent-encoding')
    }
    if (rel.includes('\0')) return answer(res, 400, 'bad request: the path holds a NUL byte')
    if (rel === '/') rel = '/index.html'
    const file = path.join(staticDir, path.normalize(rel))
    const stat = file.startsWith(staticDir + path.sep) ? fs.statSync(file, { throwIfNoEntry: false }) : undefined
    if (!stat?.isFile()) return answer(res, 404, 'not found')
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    })
    if (req.method === 'HEAD') return void res.end()
    // pipeline destroys both streams on an error (file gone, client gone) instead of throwing.
    pipeline(fs.createReadStream(file), res, () => {})
  }

  const server = http.createServer((req, res) => {
    try {
      if (!access) return answer(res, 503, 'starting')
      if (!access.hostAllowed(req.headers.host)) return answer(res, 403, `forbidden: this host does not answer to Host "${req.headers.host ?? ''}"`)
      const url = requestUrl(req.url)
      if (!url) return answer(res, 400, 'bad request: the request target must be a path')
      if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'method not allowed', { allow: 'GET, HEAD' })
      if (!access.authorised(req, url)) return answer(res, 403, `forbidden: ${NO_TOKEN}`)
      if (url.searchParams.has('token')) {
        // Trade the token in the address for a cookie, and drop it from the address bar and history.
        url.searchParams.delete('token')
        return answer(res, 303, 'see other', { 'set-cookie': access.cookieHeader(), location: url.pathname + url.search, 'cache-control': 'no-store' })
      }
      serveFile(req, res, url)
    } catch (e) {
      console.error(`quarkade web: ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`)
      if (!res.headersSent) answer(res, 500, 'internal error')
      else res.destroy()
    }
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    // A client that resets the connection mid-handshake must not raise an unhandled 'error'.
    socket.on('error', () => socket.destroy())
    try {
      if (!access) return refuseUpgrade(socket, 503, 'starting')
      const url = requestUrl(req.url)
      if (!url || url.pathname !== WS_PATH) return refuseUpgrade(socket, 400, `bad request: the API is at ${WS_PATH}`)
      if (!access.hostAllowed(req.headers.host)) return refuseUpgrade(socket, 403, `forbidden: this host does not answer to Host "${req.headers.host ?? ''}"`)
      if (!access.originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, `forbidden: connections from origin "${req.headers.origin}"`)
      if (!access.authorised(req, url)) return refuseUpgrade(socket, 403, `forbidden: ${NO_TOKEN}`)
      wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, services))
    } catch (e) {
      console.error(`quarkade web: upgrade ${req.url}: ${e instanceof Error ? e.message : String(e)}`)
      refuseUpgrade(socket, 400, 'bad request')
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, resolve)
  })
  const address = server.address() as { port: number }
  access = new WebAccess(opts.host, address.port)
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${address.port}`
  return {
    url,
    openUrl: `${url}/?token=${access.token}`,
    token: access.token,
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
  const unsubscribe = services.api.subscribe((event: ApiEvent) => {
    const parsed = apiEventSchema.safeParse(event)
    if (parsed.success) send({ event: parsed.data })
  })
  ws.on('close', unsubscribe)
  // ws closes the connection itself (1009 for a message over MAX_MESSAGE_BYTES, 1002 for a
  // protocol error); without a listener its 'error' event would end the process.
  ws.on('error', () => {})
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
      'allow-dir': { type: 'string', multiple: true, default: [] },
      'max-trainers': { type: 'string' },
      // From source (src/main/hosts) or built (out/node, vite.node.config.ts): out/web either way.
      static: { type: 'string', default: fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../../out/web' : '../web', import.meta.url)) },
    },
  })
  const maxTrainers = values['max-trainers'] === undefined ? undefined : Number(values['max-trainers'])
  if (maxTrainers !== undefined && !(Number.isInteger(maxTrainers) && maxTrainers >= 1)) {
    throw new Error(`--max-trainers must be a whole number ≥ 1, not "${values['max-trainers']}"`)
  }
  const host = await startWebHost({
    port: Number(values.port),
    host: values.host!,
    dataDir: values['data-dir'] ?? defaultDataDir(),
    staticDir: values.static!,
    allowDirs: values['allow-dir'],
    maxTrainers,
  })
  if (values.host !== '127.0.0.1' && values.host !== 'localhost') {
    console.warn(`warning: serving on ${values.host} without TLS; anyone who sees the token can start and delete runs`)
  }
  console.log(`QUARKADE_WEB_READY ${host.openUrl}`)
  console.log(`Quarkade web mode: open ${host.openUrl} (data in ${host.services.store.dir}); Ctrl-C to quit`)
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
