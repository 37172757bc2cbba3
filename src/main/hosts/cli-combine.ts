/**
 * `quarkade play --combine A,B --switch-at K`: run A's and run B's models as
 * one (A while the world's phase — the maze's lives — is at least K, then B),
 * and each alone over the same seeded games (src/core/agents/combined.ts).
 * Bad input is a ConfigError: one line, exit code 2.
 */
import { summarizeGames, type Spread } from '../../core/agents/combined'
import { ConfigError } from '../../shared/api'
import type { Services } from '../services'

export const COMBINE_USAGE = `quarkade play --combine A,B --switch-at K [--episodes N] [--seed S] [--json]   run A's model while the phase (maze: lives) ≥ K, then B's; against each alone`

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`--${flag} must be a whole number from ${min} to ${max}, got "${text.slice(0, 40)}"`)
  return v
}

const fmt = (s: Spread | undefined): string => (s ? `${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)}` : '—')

export async function playCombinedCommand(
  values: { combine?: string; 'switch-at'?: string; run?: string; episodes?: string; seed?: string; 'data-dir'?: string; json?: boolean },
  open: (dataDir: string | undefined) => Services,
): Promise<number> {
  if (values.run !== undefined) throw new ConfigError('--combine A,B names both runs; leave out --run')
  const ids = (values.combine ?? '').split(',').map(Number)
  if (ids.length !== 2 || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) throw new ConfigError(`--combine expects two run ids as A,B (e.g. 3,5), got "${(values.combine ?? '').slice(0, 40)}"`)
  const [a, b] = ids
  if (values['switch-at'] === undefined) throw new ConfigError('--switch-at K is required with --combine: A plays while the phase (maze: lives) is at least K')
  const atLeast = wholeNumber('switch-at', values['switch-at'], 0, 1000)!
  const episodes = wholeNumber('episodes', values.episodes, 1, 1000) ?? 100
  const seed = wholeNumber('seed', values.seed, 0, 2 ** 32 - 1) ?? 0
  const services = open(values['data-dir'])
  try {
    const result = await services.jobs.playCombined(a, b, atLeast, episodes, seed).catch((e: Error) => {
      throw new ConfigError(e.message)
    })
    const combined = summarizeGames(result.games)
    const alone = result.alone.map(summarizeGames)
    const env = services.store.getRun(a).env
    if (values.json) {
      const games = result.games.map((g) => ({
        seed: g.seed,
        return: g.return,
        length: g.length,
        won: g.won,
        ...g.stats,
        steps_a: g.actors.filter((x) => x === 0).length,
        steps_b: g.actors.filter((x) => x === 1).length,
        actions: g.actions,
        actors: g.actors,
      }))
      process.stdout.write(JSON.stringify({ runs: [a, b], env, phase: result.phase.key, switch_at: atLeast, seed, episodes, backend: result.backend, combined, a_alone: alone[0], b_alone: alone[1], games }) + '\n')
    } else {
      const key = 'score' in combined ? 'score' : 'return'
      process.stdout.write(
        `runs ${a} + ${b} (${env}): A while ${result.phase.label.toLowerCase()} ≥ ${atLeast}, then B; ${episodes} games from seed ${seed}, mean ${key}:\n` +
          `  combined ${fmt(combined[key])}\n  A alone  ${fmt(alone[0][key])}\n  B alone  ${fmt(alone[1][key])}\n`,
      )
    }
    return 0
  } finally {
    await services.close()
  }
}
