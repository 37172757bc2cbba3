/**
 * The preload: exposes `window.quarkade` (QuarkadeBridge) and nothing else.
 * Requests and events are validated against the shared schemas on this side
 * too, so the renderer never sees a malformed payload.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { apiEventSchema, apiMethods, type ApiEvent } from '../shared/api'
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type IpcResponse, type QuarkadeBridge } from '../shared/transport'

const bridge: QuarkadeBridge = {
  async invoke(method: string, input: unknown): Promise<IpcResponse> {
    if (!Object.hasOwn(apiMethods, method)) return { ok: false, error: `unknown API method "${method}"` }
    const parsed = apiMethods[method as keyof typeof apiMethods].input.safeParse(input ?? {})
    if (!parsed.success) return { ok: false, error: `${method}: ${parsed.error.issues[0].message}` }
    return (await ipcRenderer.invoke(IPC_REQUEST_CHANNEL, { method, input: parsed.data })) as IpcResponse
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, payload: unknown): void => {
      const parsed = apiEventSchema.safeParse(payload)
      if (parsed.success) listener(parsed.data)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file)
  },
}

contextBridge.exposeInMainWorld('quarkade', bridge)
