import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebHost, type WebHost } from '../../src/main/hosts/web'
import { WebAccess } from '../../src/main/hosts/web-access'
import type { RunSummary } from '../../src/shared/api'

let dir: string
let host: WebHost

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-web-'))
  fs.mkdirSync(path.join(dir, 'static'))
  fs.writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Quarkade</title>')
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser')
  fs.mkdirSync(path.join(dir, 'allowed'))
  host = await startWebHost({
    port: 0,
    host: '127.0.0.1',
    dataDir: path.join(dir, 'data'),
    staticDir: path.join(dir, 'static'),
    allowDirs: [path.join(dir, 'allowed')],
    maxTrainers: 1,
  })
})

afterAll(async () => {
  await host.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const port = (): string => new URL(host.url).port
const cookie = (): string => `quarkade-token-${port()}=${host.token}`

function connect(opts: { origin?: string; query?: string; headers?: Record<string, string> } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(host.url.replace('http', 'ws') + '/api' + (opts.query ?? `?token=${host.token}`), {
      ...(opts.origin ? { origin: opts.origin } : {}),
      headers: opts.headers ?? {},
    })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

async function api<T = unknown>(method: string, input: unknown): Promise<T> {
  const ws = await connect()
  const reply = await call(ws, 1, method, input)
  ws.close()
  if (!reply.ok) throw new Error(String(reply.error))
  return reply.result as T
}

/** A GET with a chosen Host header (fetch does not let one set it). */
function getWithHost(hostHeader: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port()), path: target, headers: { host: hostHeader, ...headers } }, (res) => {
      res.resume()
      resolve(res.statusCode!)
    })
    req.on('error', reject)
  })
}

async function waitFor(id: number, statuses: string[]): Promise<RunSummary> {
  for (;;) {
    const run = await api<RunSummary>('runs.get', { id })
    if (statuses.includes(run.status)) return run
    await new Promise((r) => setTimeout(r, 100))
  }
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
    const headers = { cookie: cookie() }
    const index = await fetch(host.url + '/', { headers })
    expect(index.status).toBe(200)
    expect(await index.text()).toContain('<title>Quarkade</title>')
    expect((await fetch(host.url + '/%2e%2e/secret.txt', { headers })).status).toBe(404)
    expect((await fetch(host.url + '/missing.js', { headers })).status).toBe(404)
    const post = await fetch(host.url + '/', { method: 'POST', headers, body: 'x' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
  })

  it('lets in only the holder of the per-start token: the printed URL trades it for a cookie', async () => {
    expect(host.token).toMatch(/^[\w-]{43}$/)
    expect(host.openUrl).toBe(`${host.url}/?token=${host.token}`)
    expect((await fetch(host.url + '/')).status).toBe(403)
    expect((await fetch(host.url + '/?token=wrong')).status).toBe(403)
    expect((await fetch(host.url + '/', { headers: { cookie: `quarkade-token-${port()}=wrong` } })).status).toBe(403)
    const opened = await fetch(host.openUrl, { redirect: 'manual' })
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe('/')
    expect(opened.headers.get('set-cookie')).toBe(`${cookie()}; Path=/; HttpOnly; SameSite=Strict`)
    // WebSocket: the cookie (what the page sends) or ?token= (scripts); nothing else.
    await expect(connect({ query: '' })).rejects.toThrow(/403/)
    await expect(connect({ query: '?token=wrong' })).rejects.toThrow(/403/)
    const ws = await connect({ query: '', headers: { cookie: cookie() }, origin: host.url })
    expect((await call(ws, 1, 'runs.list', {})).ok).toBe(true)
    ws.close()
  })

  it('refuses a DNS-rebound name (Host and Origin evil.example:PORT), even with the token', async () => {
    const evil = `evil.example:${port()}`
    expect(await getWithHost(evil, `/?token=${host.token}`)).toBe(403)
    expect(await getWithHost(evil, '/', { cookie: cookie() })).toBe(403)
    expect(await getWithHost(`localhost:${port()}`, '/', { cookie: cookie() })).toBe(200)
    await expect(connect({ origin: `http://${evil}`, headers: { host: evil } })).rejects.toThrow(/403/)
    await expect(connect({ origin: `http://${evil}` })).rejects.toThrow(/403/)
  })

  it('answers API calls over the WebSocket, with errors as messages', async () => {
    const ws = await connect({ origin: host.url })
    const catalog = await call(ws, 1, 'catalog.get', {})
    expect(catalog.ok).toBe(true)
    expect((catalog.result as { envs: { id: string }[] }).envs.map((e) => e.id)).toContain('catch-v1')
    const bad = await call(ws, 2, 'runs.start', { env: 'catch', algo: 'dqn', params: { gamma: 2 } })
    expect(bad).toEqual({ id: 2, ok: false, error: 'gamma must be at most 1' })
    const runs = await call(ws, 3, 'runs.list', {})
    expect(runs).toEqual({ id: 3, ok: true, result: [] })
    ws.close()
  })

  it('refuses WebSocket connections from another origin', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/)
    await expect(connect({ origin: 'null' })).rejects.toThrow(/403/)
  })

  it('reads files only in the data folder and --allow-dir folders, saying the same for present and missing files', async () => {
    const outside = [path.join(dir, 'secret.txt'), path.join(dir, 'no-such-file.h5'), '/etc/passwd', path.join(dir, 'allowed', '..', 'secret.txt')]
    for (const p of outside) {
      await expect(api('files.open', { path: p })).rejects.toThrow(/is outside the folders this host may read .*--allow-dir/)
    }
    await expect(api('jets.summary', { path: path.join(dir, 'secret.txt') })).rejects.toThrow(/outside the folders/)
    await expect(api('models.import', { dir: dir, env: 'catch' })).rejects.toThrow(/outside the folders/)
    // A link inside an allowed folder does not lead out of it.
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'allowed', 'link.h5'))
    await expect(api('files.open', { path: path.join(dir, 'allowed', 'link.h5') })).rejects.toThrow(/outside the folders/)
    fs.writeFileSync(path.join(dir, 'allowed', 'notes.h5'), 'not hdf5')
    await expect(api('files.open', { path: path.join(dir, 'allowed', 'notes.h5') })).rejects.toThrow(/notes\.h5: .*not an HDF5 file/i)
  })

  it('caps concurrent trainers: a second run waits as queued, starts when the first ends; exports stay in allowed folders', async () => {
    const request = { env: 'catch', algo: 'dqn', seed: 3, episodes: 30, checkpoint_every: 30 }
    const first = await api<RunSummary>('runs.start', request)
    const second = await api<RunSummary>('runs.start', { ...request, seed: 4 })
    expect(second.status).toBe('queued')
    expect((await api<RunSummary>('runs.get', { id: second.id })).status).toBe('queued')
    await expect(api('runs.pause', { id: second.id })).rejects.toThrow(/run \d+ is queued: it starts when one of the 1 trainer slots frees/)
    await expect(api('runs.delete', { id: second.id })).rejects.toThrow(/stop it before deleting it/)
    const third = await api<RunSummary>('runs.start', { ...request, seed: 5 })
    expect((await api<RunSummary>('runs.stop', { id: third.id })).status).toBe('stopped')
    expect((await waitFor(first.id, ['completed', 'failed'])).status).toBe('completed')
    const done = await waitFor(second.id, ['completed', 'failed'])
    expect(done).toMatchObject({ status: 'completed', episodesDone: 30 })
    // The run stopped in the queue never trained; resuming it starts it.
    expect((await api<RunSummary>('runs.get', { id: third.id })).episodesDone).toBe(0)
    await api('runs.resume', { id: third.id })
    expect(await waitFor(third.id, ['completed', 'failed'])).toMatchObject({ status: 'completed', episodesDone: 30 })

    const exports = path.join(dir, 'data', 'exports')
    const refused = [path.join(exports, '..', '..', 'escaped'), path.join(dir, 'elsewhere'), 'relative/folder', path.join(dir, 'data', 'checkpoints')]
    for (const target of refused) {
      await expect(api('runs.export', { id: done.id, dir: target })).rejects.toThrow(/outside the folders Quarkade may write to|give an absolute folder path/)
    }
    fs.symlinkSync(dir, path.join(exports, 'link-out'))
    await expect(api('runs.export', { id: done.id, dir: path.join(exports, 'link-out', 'x') })).rejects.toThrow(/outside the folders/)
    expect(fs.existsSync(path.join(dir, 'escaped')) || fs.existsSync(path.join(dir, 'elsewhere')) || fs.existsSync(path.join(dir, 'x'))).toBe(false)

    const into = path.join(exports, 'catch-run')
    const { files } = await api<{ files: string[] }>('runs.export', { id: done.id, dir: into })
    expect(files).toEqual([path.join(into, 'model.json'), path.join(into, 'weights.bin')])
    await expect(api('runs.export', { id: done.id, dir: into })).rejects.toThrow(/already holds a model\.json and a weights\.bin/)
    const weights = path.join(dir, 'allowed', 'weights.bin')
    fs.writeFileSync(weights, 'mine')
    await expect(api('runs.export', { id: done.id, dir: path.join(dir, 'allowed') })).rejects.toThrow(/already holds a weights\.bin/)
    expect(fs.readFileSync(weights, 'utf8')).toBe('mine')
    const imported = await api<RunSummary>('models.import', { dir: into, env: 'catch' })
    expect(imported.status).toBe('completed')
  }, 120_000)
})

describe('web host names', () => {
  it('on --host 0.0.0.0 answers to this machine\'s addresses and name, never to another name', () => {
    const access = new WebAccess('0.0.0.0', 5180)
    const address = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4')!.address
    for (const ok of ['127.0.0.1:5180', 'LOCALHOST:5180', '[::1]:5180', '0.0.0.0:5180', `${os.hostname()}:5180`, `${address}:5180`]) {
      expect(access.hostAllowed(ok), ok).toBe(true)
    }
    for (const bad of ['evil.example:5180', '127.0.0.1:5181', '127.0.0.1', undefined, '']) expect(access.hostAllowed(bad), String(bad)).toBe(false)
    expect(new WebAccess('192.0.2.7', 80).hostAllowed('192.0.2.7')).toBe(true)
    expect(new WebAccess('::1', 5180).hostAllowed('[::1]:5180')).toBe(true)
  })
})
