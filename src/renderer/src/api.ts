/**
 * The renderer's one way to reach the services. In Electron the preload puts a
 * bridge on `window.quarkade`; in a browser (web host) requests travel over a
 * WebSocket at ws(s)://<this host>/api. Nothing else in the renderer knows which.
 *
 * Calls reject with an Error whose message is the service's own text (e.g.
 * "lr must be greater than 0"). Incoming events are checked with apiEventSchema;
 * malformed ones are dropped with a console warning.
 */
import { apiEventSchema, type ApiEvent, type ApiInput, type ApiMethod, type ApiOutput, type QuarkadeApi } from '../../shared/api'
import { WS_PATH, type QuarkadeBridge, type WsServerMessage } from '../../shared/transport'

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface RendererApi extends QuarkadeApi {
  /** 'electron' when the preload bridge is used, 'web' for the WebSocket. */
  readonly transport: 'electron' | 'web'
  /** Connection state changes; 'open' after a reconnect means events may have been missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  readonly connection: ConnectionState
}

type Listener = (event: ApiEvent) => void

function dispatch(listeners: Set<Listener>, raw: unknown): void {
  const parsed = apiEventSchema.safeParse(raw)
  if (!parsed.success) {
    console.warn('quarkade: dropped a malformed event', parsed.error.issues[0])
    return
  }
  for (const l of listeners) {
    try {
      l(parsed.data)
    } catch (err) {
      console.error('quarkade: event listener failed', err)
    }
  }
}

function bridgeApi(bridge: QuarkadeBridge): RendererApi {
  const listeners = new Set<Listener>()
  bridge.onEvent((event) => dispatch(listeners, event))
  return {
    transport: 'electron',
    connection: 'open',
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const res = await bridge.invoke(method, input)
      if (!res.ok) throw new Error(res.error)
      return res.result as ApiOutput<M>
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onConnection() {
      return () => {}
    },
  }
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
}

function socketApi(url: string): RendererApi {
  const listeners = new Set<Listener>()
  const connListeners = new Set<(s: ConnectionState) => void>()
  const pending = new Map<number, Pending>()
  /** Requests made while the socket is not open; sent on open. */
  let queue: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let retryMs = 250

  function setState(s: ConnectionState): void {
    if (s === state) return
    state = s
    for (const l of connListeners) l(s)
  }

  function connect(): void {
    setState('connecting')
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      setState('open')
      const q = queue
      queue = []
      for (const msg of q) ws.send(msg)
    }
    ws.onmessage = (e) => {
      let msg: WsServerMessage
      try {
        msg = JSON.parse(String(e.data)) as WsServerMessage
      } catch {
        console.warn('quarkade: non-JSON message from the host')
        return
      }
      if ('event' in msg) {
        dispatch(listeners, msg.event)
        return
      }
      const p = pending.get(msg.id)
      if (!p) return
      pending.delete(msg.id)
      if (msg.ok) p.resolve(msg.result)
      else p.reject(new Error(msg.error))
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      // Requests in flight will never be answered.
      for (const p of pending.values()) p.reject(new Error('Lost the connection to the Quarkade host; retrying…'))
      pending.clear()
      queue = []
      setState('closed')
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  connect()

  return {
    transport: 'web',
    get connection() {
      return state
    },
    call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const id = nextId++
      const msg = JSON.stringify({ id, method, input })
      return new Promise<ApiOutput<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(msg)
        else queue.push(msg)
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onConnection(listener) {
      connListeners.add(listener)
      return () => connListeners.delete(listener)
    },
  }
}

function createApi(): RendererApi {
  if (typeof window !== 'undefined' && window.quarkade) return bridgeApi(window.quarkade)
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return socketApi(`${scheme}://${location.host}${WS_PATH}`)
}

let connected: RendererApi | null = null
const open = (): RendererApi => (connected ??= createApi())

/** Connects on first use, so importing a module that uses it (a registry, a store) opens nothing. */
export const api: RendererApi = {
  get transport() {
    return open().transport
  },
  get connection() {
    return open().connection
  },
  call: <M extends ApiMethod>(method: M, input: ApiInput<M>) => open().call(method, input),
  subscribe: (listener) => open().subscribe(listener),
  onConnection: (listener) => open().onConnection(listener),
}
