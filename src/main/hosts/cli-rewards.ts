/**
 * Saved reward functions in the CLI (wired into cli.ts), through the same
 * library as the app's reward editor (src/main/services/rewards.ts):
 *
 *   quarkade reward save NAME [--set w_death=-2000 ...] [--overwrite] [--data-dir DIR] [--json]
 *   quarkade reward list [--data-dir DIR] [--json]
 *   quarkade reward delete NAME [--data-dir DIR] [--json]
 *
 * Bad input is a ConfigError: one line, exit code 2, nothing written.
 */
import { parseCliArgs } from './cli-args'
import { REWARD_EVENTS } from '../../core/maze/rewards'
import type { ParamSpec } from '../../core/params'
import { ConfigError } from '../../shared/api'
import { defaultDataDir } from '../services/data-dir'
import { RewardLibrary } from '../services/rewards'

export const REWARD_USAGE = `quarkade reward save NAME [--set w_pellet=10 --set w_death=-2000 ...] [--overwrite] [--data-dir DIR] [--json]   save a named reward function
  quarkade reward list [--data-dir DIR] [--json]
  quarkade reward delete NAME [--data-dir DIR] [--json]`

/**
 * `--reward VALUE` as world settings: one of the world's reward functions, a reward
 * saved under that name in the data folder, or a reward file.
 */
export function rewardSettings(value: string, envSpecs: readonly ParamSpec[], dataDir: string): Record<string, unknown> {
  try {
    return new RewardLibrary(dataDir).settingsFor(value, envSpecs, true)
  } catch (e) {
    throw new ConfigError(`--reward: ${(e as Error).message}`)
  }
}

function weightsFromSets(sets: readonly string[]): Record<string, number> {
  const weights: Record<string, number> = {}
  for (const item of sets) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new ConfigError(`malformed --set "${item.slice(0, 40)}": expected key=value`)
    const key = item.slice(0, eq)
    if (!REWARD_EVENTS.some((e) => e.key === key)) throw new ConfigError(`unknown weight "${key.slice(0, 40)}" (known: ${REWARD_EVENTS.map((e) => e.key).join(', ')})`)
    const text = item.slice(eq + 1)
    const v = Number(text)
    if (text.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`weight ${key} must be a number, got "${text.slice(0, 40)}"`)
    weights[key] = v
  }
  return weights
}

const weightsText = (weights: Record<string, number>): string =>
  Object.entries(weights)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')

export async function rewardCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseCliArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { set: { type: 'string', multiple: true }, overwrite: { type: 'boolean' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  })
  const library = new RewardLibrary(values['data-dir'] ?? defaultDataDir())
  const oneName = (): string => {
    if (positionals.length !== 1) throw new ConfigError(`reward ${sub} needs one NAME (e.g. quarkade reward ${sub} careful${sub === 'save' ? ' --set w_death=-2000' : ''})`)
    return positionals[0]
  }
  if (sub === 'save') {
    const name = oneName()
    const { reward, path } = library.save({ name, weights: weightsFromSets(values.set ?? []) }, values.overwrite ?? false)
    process.stdout.write(values.json ? JSON.stringify({ ...reward, path }) + '\n' : `saved reward "${reward.name}" in ${path}: use --reward ${JSON.stringify(reward.name)}\n`)
    return 0
  }
  if (sub === 'delete') {
    const name = oneName()
    const deleted = library.delete(name)
    process.stdout.write(values.json ? JSON.stringify({ deleted: name, reward: deleted }) + '\n' : `deleted reward "${name}"${deleted ? ` (it was: ${weightsText(deleted.weights)})` : ''}\n`)
    return 0
  }
  if (sub === 'list') {
    if (positionals.length) throw new ConfigError(`unexpected argument "${positionals[0].slice(0, 40)}"`)
    const list = library.list().map(({ updatedAt: _updatedAt, ...r }) => r)
    if (values.json) process.stdout.write(JSON.stringify(list) + '\n')
    else if (!list.length) process.stdout.write(`no saved rewards in ${library.dir} — save one with: quarkade reward save NAME --set w_death=-2000\n`)
    else for (const r of list) process.stdout.write('weights' in r ? `${r.name.padEnd(24)} ${weightsText(r.weights)}\n` : `${r.name.padEnd(24)} unreadable: ${r.problem}\n`)
    return 0
  }
  throw new ConfigError(`reward: expected "save", "list" or "delete", got "${String(sub ?? '').slice(0, 40)}"`)
}
