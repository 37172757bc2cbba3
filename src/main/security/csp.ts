/**
 * The renderer's Content-Security-Policy, put into index.html at build time by
 * `cspHtmlPlugin` (both the Electron and the web build). Scripts only from the
 * app itself (no eval — Pixi runs through 'pixi.js/unsafe-eval', its no-eval code
 * path); inline styles because Vue and uPlot set element styles. connect-src
 * 'self' covers the web host's same-origin ws(s):// API; only the dev server
 * adds localhost WebSockets, for Vite's hot reload.
 */
import type { Plugin } from 'vite'

export function contentSecurityPolicy(opts: { dev: boolean }): string {
  const connect = ["'self'", ...(opts.dev ? ['ws://localhost:*', 'ws://127.0.0.1:*'] : [])]
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ')
}

/** The placeholder index.html carries in its CSP meta tag. */
export const CSP_PLACEHOLDER = '%QUARKADE_CSP%'

/** Fills the CSP meta tag: the dev policy under the dev server, the production one in builds. */
export function cspHtmlPlugin(): Plugin {
  return {
    name: 'quarkade-csp',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        if (!html.includes(CSP_PLACEHOLDER)) throw new Error(`index.html has no ${CSP_PLACEHOLDER} for the Content-Security-Policy`)
        return html.replace(CSP_PLACEHOLDER, contentSecurityPolicy({ dev: ctx.server !== undefined }))
      },
    },
  }
}
