/**
 * How requests and events travel between renderer and services, for both hosts.
 *
 * Web host: one WebSocket at `ws://HOST/api`. Client → server `{id, method, input}`;
 * server → client `{id, ok: true, result}` or `{id, ok: false, error}`, and pushed
 * events as `{event}`.
 *
 * Electron host: the preload exposes `window.quarkade` (type `QuarkadeBridge`);
 * requests go over ipcRenderer.invoke on channel `api`, events arrive on `api:event`.
 */
import { z } from 'zod'
import type { ApiEvent } from './api'

export const WS_PATH = '/api'
export const IPC_REQUEST_CHANNEL = 'api'
export const IPC_EVENT_CHANNEL = 'api:event'

export const wsRequestSchema = z.strictObject({
  id: z.number().int(),
  method: z.string(),
  input: z.unknown(),
})
export type WsRequest = z.infer<typeof wsRequestSchema>

export type WsResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }
export type WsServerMessage = WsResponse | { event: ApiEvent }

/** Electron IPC reply: errors travel as data, since thrown IPC errors lose their message. */
export type IpcResponse = { ok: true; result: unknown } | { ok: false; error: string }

/** A file dropped on the window: the DOM's File, named by the little the bridge needs (shared has no DOM types). */
export interface DroppedFile {
  readonly name: string
  readonly size: number
}

/** What the Electron preload puts on `window.quarkade`. */
export interface QuarkadeBridge {
  invoke(method: string, input: unknown): Promise<IpcResponse>
  onEvent(listener: (event: ApiEvent) => void): () => void
  /** The path on disk of a file dropped on the window (Electron's webUtils). */
  pathForFile(file: DroppedFile): string
}
