import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebHost, type WebHost } from '../../src/main/hosts/web'

let dir: string
let host: WebHost

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-web-'))
  fs.mkdirSync(path.join(dir, 'static'))
  fs.writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Quarkade</title>')
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser')
  host = await startWebHost({ port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'data'), staticDir: path.join(dir, 'static') })
})

afterAll(async () => {
  await host.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function connect(origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(host.url.replace('http', 'ws') + '/api', origin ? { origin } : {})
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, method: string, input: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const m = JSON.parse(data.toString())
      if (m.id === id) {
        ws.off('message', onMessage)
        resolve(m)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, method, input }))
  })
}

describe('web host', () => {
  it('binds to 127.0.0.1 and serves the renderer, nothing outside it', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const index = await fetch(host.url + '/')
    expect(index.status).toBe(200)
    expect(await index.text()).toContain('<title>Quarkade</title>')
    expect((await fetch(host.url + '/%2e%2e/secret.txt')).status).toBe(404)
    expect((await fetch(host.url + '/missing.js')).status).toBe(404)
  })

  it('answers API calls over the WebSocket, with errors as messages', async () => {
    const ws = await connect(host.url)
    const catalog = await call(ws, 1, 'catalog.get', {})
    expect(catalog.ok).toBe(true)
    expect((catalog.result as { envs: { id: string }[] }).envs.map((e) => e.id)).toContain('catch')
    const bad = await call(ws, 2, 'runs.start', { env: 'catch', algo: 'dqn', params: { gamma: 2 } })
    expect(bad).toEqual({ id: 2, ok: false, error: 'gamma must be at most 1' })
    const runs = await call(ws, 3, 'runs.list', {})
    expect(runs).toEqual({ id: 3, ok: true, result: [] })
    ws.close()
  })

  it('refuses WebSocket connections from another origin', async () => {
    await expect(connect('http://evil.example')).rejects.toThrow(/403/)
  })
})
