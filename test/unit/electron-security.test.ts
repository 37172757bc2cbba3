import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { IndexHtmlTransformContext } from 'vite'
import { CSP_PLACEHOLDER, contentSecurityPolicy, cspHtmlPlugin } from '../../src/main/security/csp'
import { appLocation, isAllowedExternalUrl, isAppUrl, isTrustedSender } from '../../src/main/security/electron'

const ROOT = path.resolve(import.meta.dirname, '../..')

/** index.html as the build (no dev server) or the dev server turns it out. */
function transform(dev: boolean): string {
  const html = fs.readFileSync(path.join(ROOT, 'src/renderer/index.html'), 'utf8')
  const hook = cspHtmlPlugin().transformIndexHtml as { handler: (html: string, ctx: IndexHtmlTransformContext) => string }
  return hook.handler(html, { path: '/index.html', filename: 'index.html', ...(dev ? { server: {} } : {}) } as IndexHtmlTransformContext)
}

describe('Content-Security-Policy', () => {
  it('production index.html allows connections only to its own origin', () => {
    const html = transform(false)
    expect(html).not.toContain(CSP_PLACEHOLDER)
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]
    expect(csp).toBe(contentSecurityPolicy({ dev: false }))
    expect(csp).toContain("connect-src 'self';")
    expect(csp).not.toMatch(/localhost|127\.0\.0\.1|unsafe-eval/)
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("object-src 'none'")
  })

  it('only the dev server adds localhost WebSockets (Vite hot reload)', () => {
    expect(/content="([^"]+)"/.exec(transform(true))![1]).toContain("connect-src 'self' ws://localhost:* ws://127.0.0.1:*;")
  })
})

describe('IPC sender check', () => {
  const prodApp = appLocation(undefined, pathToFileURL('/opt/Quarkade/resources/app.asar/out/renderer/index.html').href)
  const devApp = appLocation('http://localhost:5173/', 'file:///unused/index.html')
  const ours = (url: string, isMainFrame = true): { contentsId: number; frame: { url: string; isMainFrame: boolean } } => ({ contentsId: 7, frame: { url, isMainFrame } })

  it('accepts the main frame of our window showing our page (any route)', () => {
    expect(isTrustedSender(ours('file:///opt/Quarkade/resources/app.asar/out/renderer/index.html#/runs/3'), 7, prodApp)).toBe(true)
    expect(isTrustedSender(ours('http://localhost:5173/#/data'), 7, devApp)).toBe(true)
  })

  it('refuses subframes, other windows, other pages and destroyed frames', () => {
    const page = 'file:///opt/Quarkade/resources/app.asar/out/renderer/index.html'
    expect(isTrustedSender(ours(page, false), 7, prodApp)).toBe(false)
    expect(isTrustedSender(ours(page), 8, prodApp)).toBe(false)
    expect(isTrustedSender(ours(page), null, prodApp)).toBe(false)
    expect(isTrustedSender({ contentsId: 7, frame: null }, 7, prodApp)).toBe(false)
    expect(isTrustedSender(ours('file:///tmp/evil.html'), 7, prodApp)).toBe(false)
    expect(isTrustedSender(ours('https://evil.example/'), 7, prodApp)).toBe(false)
    expect(isTrustedSender(ours('http://localhost:5174/'), 7, devApp)).toBe(false)
    expect(isTrustedSender(ours('about:blank'), 7, devApp)).toBe(false)
  })

  it('navigation stays on our page', () => {
    expect(isAppUrl('file:///opt/Quarkade/resources/app.asar/out/renderer/index.html?x#/y', prodApp)).toBe(true)
    expect(isAppUrl('file://remote-share/opt/Quarkade/resources/app.asar/out/renderer/index.html', prodApp)).toBe(false)
    expect(isAppUrl('not a url', prodApp)).toBe(false)
  })
})

describe('links opened in the browser', () => {
  it('opens only allow-listed https addresses', () => {
    expect(isAllowedExternalUrl('https://github.com/farizrahman4u/qlearning4k')).toBe(true)
    expect(isAllowedExternalUrl('https://github.com/farizrahman4u/qlearning4k/blob/master/README.md')).toBe(true)
    expect(isAllowedExternalUrl('https://www.tensorflow.org/js/guide')).toBe(true)
    for (const url of [
      'https://github.com/farizrahman4u/qlearning4k-evil',
      'https://github.com/someone/else',
      'http://www.tensorflow.org/js',
      'https://www.tensorflow.org.evil.example/js',
      'https://user:pw@www.tensorflow.org/js',
      'https://www.tensorflow.org:8443/js',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false)
    }
  })
})
