/**
 * Saved reward functions: per-event weights under a name, kept as
 * `<data dir>/rewards/NAME.json` in the format of src/core/maze/rewards.ts.
 * The CLI (`quarkade reward …`, `--reward NAME`) and the API (`rewards.*`,
 * the app's reward editor) both use this library, so they read and write the
 * same files the same way: names checked, files bounded in size, writes atomic,
 * and nothing replaced unless the caller says overwrite.
 */
import fs from 'node:fs'
import path from 'node:path'
import { REWARD_FUNCTIONS, REWARD_NAME, parseRewardDefinition, rewardDefinitionText, rewardEnvSettings, type RewardDefinition } from '../../core/maze/rewards'
import type { ParamSpec } from '../../core/params'
import { ConfigError } from '../../shared/api'

/** A reward file is a name and seven numbers; anything much bigger is not one. */
export const MAX_REWARD_FILE_BYTES = 64 * 1024
/** Saved rewards listed at most (a folder with more is not a reward library a person keeps). */
export const MAX_SAVED_REWARDS = 1000

/** A saved reward as listed: its weights, or why its file cannot be read. */
export type SavedReward = (RewardDefinition & { updatedAt: number }) | { name: string; problem: string; updatedAt: number }

const NAME_RULE = 'a reward name is 1–60 letters, digits, spaces, "-" or "_", starting with a letter or digit'

export class RewardLibrary {
  readonly dir: string

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'rewards')
  }

  /** The file a name is saved in; throws on a name that is not one (so no path escapes the folder). */
  fileOf(name: string): string {
    if (typeof name !== 'string' || !REWARD_NAME.test(name)) throw new ConfigError(`"${String(name).slice(0, 40)}" is not a reward name: ${NAME_RULE}`)
    return path.join(this.dir, `${name}.json`)
  }

  /** Reads one reward file (a saved one or any other); one line naming the file when it is not a reward. */
  readFile(file: string): RewardDefinition {
    let bytes: number
    try {
      bytes = fs.statSync(file).size
    } catch {
      throw new ConfigError(`${file}: no such reward file`)
    }
    if (bytes > MAX_REWARD_FILE_BYTES) throw new ConfigError(`${file}: ${bytes} bytes is not a reward file (at most ${MAX_REWARD_FILE_BYTES})`)
    try {
      return parseRewardDefinition(fs.readFileSync(file, 'utf8'))
    } catch (e) {
      throw new ConfigError(`${file}: ${(e as Error).message}`)
    }
  }

  has(name: string): boolean {
    const file = this.fileOf(name)
    return fs.existsSync(file) && fs.statSync(file).isFile()
  }

  get(name: string): RewardDefinition {
    if (!this.has(name)) throw new ConfigError(`no saved reward named "${name}"`)
    return this.readFile(this.fileOf(name))
  }

  /** Every saved reward, by name; unreadable files are listed with their problem, not dropped. */
  list(): SavedReward[] {
    if (!fs.existsSync(this.dir)) return []
    const names = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter((n) => REWARD_NAME.test(n))
      .sort()
      .slice(0, MAX_SAVED_REWARDS)
    return names.map((name): SavedReward => {
      const file = this.fileOf(name)
      const updatedAt = fs.statSync(file).mtimeMs
      try {
        const def = this.readFile(file)
        // The file's name is the reward's name: a copied file that says otherwise is listed under its file name.
        return { name, weights: def.weights, updatedAt }
      } catch (e) {
        return { name, problem: (e as Error).message, updatedAt }
      }
    })
  }

  /**
   * Saves `{name, weights}` (weights left out keep their defaults). An existing
   * reward of that name is replaced only with `overwrite`; the file is written
   * whole or not at all.
   */
  save(input: { name: string; weights: Record<string, number> }, overwrite = false): { reward: RewardDefinition; path: string } {
    const file = this.fileOf(input.name)
    if ((REWARD_FUNCTIONS as readonly string[]).includes(input.name)) throw new ConfigError(`"${input.name}" is a built-in reward function; give the saved reward another name`)
    let def: RewardDefinition
    try {
      def = parseRewardDefinition(JSON.stringify({ name: input.name, weights: input.weights }))
    } catch (e) {
      throw new ConfigError((e as Error).message)
    }
    if (this.has(def.name) && !overwrite) throw new ConfigError(`a reward named "${def.name}" is already saved; save with overwrite to replace it`)
    fs.mkdirSync(this.dir, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, rewardDefinitionText(def))
    fs.renameSync(tmp, file)
    return { reward: def, path: file }
  }

  /** Deletes a saved reward and returns what it was (so a caller can offer undo by saving it again); null for an unreadable file. */
  delete(name: string): RewardDefinition | null {
    const file = this.fileOf(name)
    if (!this.has(name)) throw new ConfigError(`no saved reward named "${name}"`)
    let def: RewardDefinition | null = null
    try {
      def = this.readFile(file)
    } catch {
      // An unreadable file can still be removed; there is nothing to restore.
    }
    fs.rmSync(file)
    return def
  }

  /**
   * A reward choice as world settings: one of the world's reward functions, a
   * reward saved under that name, or (with `allowFiles`, the CLI) a reward file
   * anywhere. A saved reward becomes reward=custom and every weight, so a run
   * stays reproducible after the file is gone.
   */
  settingsFor(value: string, envSpecs: readonly ParamSpec[], allowFiles = false): Record<string, unknown> {
    const spec = envSpecs.find((s) => s.key === 'reward')
    if (!spec || spec.type !== 'select') throw new ConfigError('this world has no reward functions to choose from')
    if (spec.options.includes(value)) return { reward: value }
    const custom = spec.options.includes('custom')
    if (custom && REWARD_NAME.test(value) && this.has(value)) return rewardEnvSettings(this.get(value))
    if (custom && allowFiles && fs.existsSync(value) && fs.statSync(value).isFile()) return rewardEnvSettings(this.readFile(value))
    throw new ConfigError(`unknown reward "${value.slice(0, 40)}" (known: ${spec.options.join(', ')}; or a saved reward's name${allowFiles ? ', or a reward file' : ''})`)
  }
}
