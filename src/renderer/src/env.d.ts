/// <reference types="vite/client" />
import type { QuarkadeBridge } from '../../shared/transport'

declare global {
  interface Window {
    /** Present only in the Electron host (exposed by the preload). */
    quarkade?: QuarkadeBridge
  }
}

export {}
