/**
 * The desktop app's security decisions, as plain functions (no Electron import)
 * so they can be tested without the Electron binary. src/main/index.ts applies
 * them to IPC, window-open and navigation events.
 */

/** What the main process knows about the frame that sent an IPC message. */
export interface IpcSender {
  /** The sending webContents' id. */
  contentsId: number
  /** The sending frame (event.senderFrame): null once it navigated away or was destroyed. */
  frame: { url: string; isMainFrame: boolean } | null
}

/** Where our renderer lives: the dev server's origin, or the built index.html's file URL. */
export function appLocation(devServerUrl: string | undefined, indexHtmlFileUrl: string): URL {
  return new URL(devServerUrl ?? indexHtmlFileUrl)
}

/** Whether `url` is a page of our renderer: same origin as the dev server, or exactly our index.html file. */
export function isAppUrl(url: string, app: URL): boolean {
  if (!URL.canParse(url)) return false
  const u = new URL(url)
  if (app.protocol === 'file:') return u.protocol === 'file:' && u.host === app.host && u.pathname === app.pathname
  return u.origin === app.origin
}

/**
 * Only the main frame of our window, showing our page, may call the API: not a
 * subframe (an iframe an XSS injected), nor another window, nor a page the
 * window was navigated to.
 */
export function isTrustedSender(sender: IpcSender, windowContentsId: number | null, app: URL): boolean {
  return windowContentsId !== null && sender.contentsId === windowContentsId && !!sender.frame?.isMainFrame && isAppUrl(sender.frame.url, app)
}

/**
 * Links the app may open in the user's browser: https only, exact hosts, path
 * prefixes. Anything else (another site, http:, file:, javascript:, a URL with
 * credentials) is dropped. Add an entry here when the UI gains a link.
 */
export const EXTERNAL_LINKS: readonly { host: string; pathPrefix: string }[] = [
  { host: 'github.com', pathPrefix: '/farizrahman4u/qlearning4k' },
  { host: 'www.tensorflow.org', pathPrefix: '/js' },
  { host: 'js.tensorflow.org', pathPrefix: '/' },
  { host: 'developer.nvidia.com', pathPrefix: '/cuda' },
  { host: 'docs.h5py.org', pathPrefix: '/' },
]

export function isAllowedExternalUrl(url: string): boolean {
  if (!URL.canParse(url)) return false
  const u = new URL(url)
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return false
  return EXTERNAL_LINKS.some((l) => u.hostname === l.host && (u.pathname === l.pathPrefix || u.pathname.startsWith(l.pathPrefix.endsWith('/') ? l.pathPrefix : l.pathPrefix + '/')))
}
