/** Scene per env id. */
import { createCatchScene } from './catch'
import { createRacerScene } from './racer'
import { createSnakeScene } from './snake'
import type { Scene } from './types'

export const SCENES: Record<string, () => Scene> = {
  catch: createCatchScene,
  racer: createRacerScene,
  snake: createSnakeScene,
}

export type { Scene, SceneFrame } from './types'
