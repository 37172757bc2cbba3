/** How an episode ended, in the env's own words ("Caught", "Grew to 5", …). */

export function outcomeLabel(env: string, won: boolean, state?: unknown): string {
  switch (env) {
    case 'catch':
      return won ? 'Caught' : 'Missed'
    case 'snake': {
      const s = state as { length?: number; dead?: boolean } | undefined
      if (won) return s?.length ? `Grew to ${s.length}` : 'Ate a fruit'
      if (!s) return 'No fruit'
      return s.dead ? 'Crashed' : 'Out of steps'
    }
    default:
      return won ? 'Won' : 'Lost'
  }
}
