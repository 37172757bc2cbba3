/**
 * Requests that used to kill the web host (issue 9, item 2), sent with raw
 * sockets and the `ws` client to a real host process on 127.0.0.1. Each must get
 * a clean refusal, and the process must still be alive and answering after it.
 */
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHostProcess, stopHostProcess } from '../support/web-host-process'

let dir: string
let child: ChildProcess
let log = ''
let openUrl: URL

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-hostile-'))
  fs.mkdirSync(path.join(dir, 'static'))
  fs.writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Quarkade</title>')
  const host = startHostProcess({ dataDir: path.join(dir, 'data'), staticDir: path.join(dir, 'static'), onLog: (l) => (log = l) })
  child = host.child
  openUrl = new URL(await host.ready)
}, 90_000)

afterAll(async () => {
  await stopHostProcess(child)
  fs.rmSync(dir, { recursive: true, force: true })
})

const token = (): string => openUrl.searchParams.get('token')!
/** The cookie a browser gets for the token. */
const cookie = (): string => `quarkade-token-${openUrl.port}=${token()}`

/** Sends raw bytes, returns everything the host answers until it closes (bounded in time). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(openUrl.port), '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no end of the answer within 10 s; got: ${got}`))
    }, 10_000)
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
    socket.write(bytes)
  })
}

function get(target: string, headers: Record<string, string> = {}): Promise<string> {
  const lines = Object.entries({ host: `127.0.0.1:${openUrl.port}`, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`)
  return raw(`GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`)
}

/** The host is alive and serves its page to the token holder. */
async function stillAnswers(): Promise<void> {
  expect(child.exitCode, log).toBeNull()
  const res = await fetch(`${openUrl.origin}/index.html?token=${token()}`, { redirect: 'manual' })
  expect(res.status).toBe(303)
  expect(res.headers.get('set-cookie')!.split(';')[0]).toBe(cookie())
  const page = await fetch(`${openUrl.origin}/index.html`, { headers: { cookie: cookie() } })
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<title>Quarkade</title>')
}

function wsUrl(query = `?token=${token()}`): string {
  return `ws://127.0.0.1:${openUrl.port}/api${query}`
}

describe('the web host survives hostile requests', () => {
  it('GET /% gets 400 (not valid percent-encoding)', async () => {
    expect(await get('/%', { cookie: cookie() })).toMatch(/^HTTP\/1\.1 400 .*percent-encoding/s)
    expect(await get('/%')).toMatch(/^HTTP\/1\.1 403 /)
    await stillAnswers()
  })

  it('a request target that is not a path (http://[) gets 400', async () => {
    expect(await get('http://[')).toMatch(/^HTTP\/1\.1 400 /)
    expect(await get(`http://[/?token=${token()}`)).toMatch(/^HTTP\/1\.1 400 /)
    await stillAnswers()
  })

  it('a WebSocket upgrade to a malformed target, or with garbage, gets 400', async () => {
    const upgrade = (target: string): string =>
      `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1:${openUrl.port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
    expect(await raw(upgrade('http://['))).toMatch(/^HTTP\/1\.1 400 /)
    expect(await raw(upgrade('/%'))).toMatch(/^HTTP\/1\.1 400 /)
    expect(await raw('\x16\x03\x01garbage that is no HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 |^$/)
    await stillAnswers()
  })

  it('a WebSocket with Origin: null (a sandboxed iframe) gets 403', async () => {
    const ws = new WebSocket(wsUrl(), { origin: 'null' })
    const refused = await new Promise<string>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
      ws.once('open', () => resolve('opened'))
    })
    expect(refused).toBe('403')
    await stillAnswers()
  })

  it('a message over 16 MiB closes that connection with 1009 and nothing else', async () => {
    const ws = new WebSocket(wsUrl())
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('error', () => {})
    ws.send(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20))
    expect(await closed).toBe(1009)
    await stillAnswers()
    // The API still works for a new connection.
    const again = new WebSocket(wsUrl())
    const reply = await new Promise<{ ok: boolean }>((resolve, reject) => {
      again.once('open', () => again.send(JSON.stringify({ id: 1, method: 'runs.list', input: {} })))
      again.once('message', (d) => resolve(JSON.parse(d.toString())))
      again.once('error', reject)
    })
    again.close()
    expect(reply).toEqual({ id: 1, ok: true, result: [] })
  })

  it('a client that resets mid-request or mid-handshake does not matter', async () => {
    for (const partial of [`GET /index.html HTTP/1.1\r\nhost: 127.0.0.1:${openUrl.port}\r\n`, `GET /api HTTP/1.1\r\nupgrade: websocket\r\n`]) {
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(openUrl.port), '127.0.0.1', () => {
          s.write(partial)
          s.resetAndDestroy()
          resolve()
        })
      })
    }
    await stillAnswers()
  })
})
