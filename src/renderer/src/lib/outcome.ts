/** How an episode ended, in the world's own words ("Caught", "Grew to 5", …): each world declares it. */
import { findWorld } from '../../../core/catalog'

export function outcomeLabel(env: string, won: boolean, state?: unknown): string {
  return findWorld(env)?.outcome(won, state) ?? (won ? 'Won' : 'Lost')
}
