/** Scene per env id. */
import { createCatchScene } from './catch'
import type { Scene } from './types'

export const SCENES: Record<string, () => Scene> = {
  catch: createCatchScene,
}

export type { Scene, SceneFrame } from './types'
