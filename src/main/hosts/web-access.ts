/**
 * Who may use the web host. Every start makes a secret token, printed in the
 * address the host shows (`http://127.0.0.1:PORT/?token=…`, as Jupyter does).
 * Opening that address trades the token for an HttpOnly, SameSite=Strict cookie
 * and redirects to the same page without it; every request and WebSocket
 * connection must then carry the cookie, or the token as `?token=` (scripts).
 * The Host header must name this host (127.0.0.1, localhost, ::1 or the --host
 * address, with our port), so a DNS-rebound name (evil.example:PORT) is refused
 * even before the token is checked; a browser's Origin must match the Host.
 */
import crypto from 'node:crypto'
import type http from 'node:http'
import os from 'node:os'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', ''])

function hostWithPort(name: string, port: number): string {
  return `${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`.toLowerCase()
}

/** Names this host answers to: loopback, the bound address, and on a wildcard bind every local address. */
function hostNames(bindHost: string): string[] {
  const names = ['127.0.0.1', 'localhost', '::1', bindHost]
  if (WILDCARD_HOSTS.has(bindHost)) {
    names.push(os.hostname())
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.push(a.address)
  }
  return names
}

export class WebAccess {
  readonly token: string
  readonly cookieName: string
  private readonly hosts: Set<string>
  private readonly tokenDigest: Buffer

  constructor(bindHost: string, port: number, token = crypto.randomBytes(32).toString('base64url')) {
    this.token = token
    this.tokenDigest = crypto.createHash('sha256').update(token).digest()
    // Cookies ignore ports: one name per port keeps two hosts on one machine apart.
    this.cookieName = `quarkade-token-${port}`
    this.hosts = new Set(hostNames(bindHost).flatMap((n) => [hostWithPort(n, port), ...(port === 80 ? [n.toLowerCase()] : [])]))
  }

  /** Whether the Host header names this host (not a DNS-rebound name). */
  hostAllowed(host: string | undefined): boolean {
    return !!host && this.hosts.has(host.toLowerCase())
  }

  /** No Origin (not a browser) or an http(s) origin naming the same host as the Host header; `null` is refused. */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true
    if (!URL.canParse(origin)) return false
    const o = new URL(origin)
    return (o.protocol === 'http:' || o.protocol === 'https:') && !!host && o.host === host.toLowerCase()
  }

  /** Whether `candidate` is the token, compared in constant time. */
  isToken(candidate: string | null | undefined): boolean {
    if (!candidate) return false
    return crypto.timingSafeEqual(crypto.createHash('sha256').update(candidate).digest(), this.tokenDigest)
  }

  /** Whether the request carries the token: in our cookie or as `?token=`. */
  authorised(req: http.IncomingMessage, url: URL): boolean {
    return this.isToken(url.searchParams.get('token')) || this.isToken(this.cookie(req))
  }

  /** The Set-Cookie value that lets this browser in. */
  cookieHeader(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`
  }

  private cookie(req: http.IncomingMessage): string | null {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=')
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) return part.slice(eq + 1).trim()
    }
    return null
  }
}
