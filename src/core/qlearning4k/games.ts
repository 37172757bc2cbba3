/**
 * qlearning4k's two games, as Games over the app's envs (same rules; the grid is
 * always 10×10, so the argument is a seed, not qlearning4k's grid_size).
 */
import { CatchEnv } from '../catch/env'
import { SnakeEnv, type SnakeOptions } from '../snake/env'
import { EnvGame } from './adapters'

export class Catch extends EnvGame<CatchEnv> {
  constructor(seed = 0) {
    super(new CatchEnv(seed), undefined, 'Catch')
  }
}

export class Snake extends EnvGame<SnakeEnv> {
  constructor(seed = 0, options: SnakeOptions = {}) {
    super(new SnakeEnv(seed, options), undefined, 'Snake')
  }
}
