/**
 * The saved-reward library (src/main/services/rewards.ts) on a real folder:
 * save, list, delete, no silent overwrite, bad names and oversized files get
 * one line and nothing written, and `--reward NAME` turns into reward=custom
 * with every weight.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { DEFAULT_WEIGHTS } from '../../src/core/maze/rewards'
import { getWorld } from '../../src/core/catalog'
import { MAX_REWARD_FILE_BYTES, RewardLibrary } from '../../src/main/services/rewards'
import { rewardCommand, rewardSettings } from '../../src/main/hosts/cli-rewards'

let dataDir: string
let library: RewardLibrary
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-rewards-'))
  library = new RewardLibrary(dataDir)
})
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }))

const files = (): string[] => (fs.existsSync(library.dir) ? fs.readdirSync(library.dir).sort() : [])

describe('saved rewards', () => {
  test('save, list and delete; the file is the documented format', () => {
    expect(library.list()).toEqual([])
    const { reward, path: file } = library.save({ name: 'careful', weights: { w_death: -2000, w_step: -1 } })
    expect(file).toBe(path.join(dataDir, 'rewards', 'careful.json'))
    expect(reward).toEqual({ name: 'careful', weights: { ...DEFAULT_WEIGHTS, w_death: -2000, w_step: -1 } })
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(reward)
    library.save({ name: 'Ghost hunter_2', weights: { w_ghost: 1000 } })
    const listed = library.list()
    expect(listed.map((r) => r.name)).toEqual(['Ghost hunter_2', 'careful'])
    expect(listed[1]).toMatchObject({ name: 'careful', weights: reward.weights })
    expect(library.delete('careful')).toEqual(reward)
    expect(files()).toEqual(['Ghost hunter_2.json'])
    expect(() => library.delete('careful')).toThrow('no saved reward named "careful"')
  })

  test('saving over a name needs overwrite; without it the saved file is untouched', () => {
    library.save({ name: 'careful', weights: { w_death: -2000 } })
    const before = fs.readFileSync(path.join(library.dir, 'careful.json'), 'utf8')
    expect(() => library.save({ name: 'careful', weights: { w_death: -1 } })).toThrow('a reward named "careful" is already saved; save with overwrite to replace it')
    expect(fs.readFileSync(path.join(library.dir, 'careful.json'), 'utf8')).toBe(before)
    library.save({ name: 'careful', weights: { w_death: -1 } }, true)
    expect(library.get('careful').weights.w_death).toBe(-1)
    expect(files()).toEqual(['careful.json']) // no temporary file left behind
  })

  test('bad names and weights are one line each, and nothing is written', () => {
    for (const name of ['', '../escape', 'a/b', '.hidden', 'x'.repeat(61), 'dot.name']) {
      expect(() => library.save({ name, weights: {} })).toThrow(/is not a reward name: a reward name is 1–60 letters/)
    }
    expect(() => library.save({ name: 'vanilla', weights: {} })).toThrow('"vanilla" is a built-in reward function')
    expect(() => library.save({ name: 'x', weights: { w_bonus: 1 } })).toThrow('unknown weight "w_bonus"')
    expect(() => library.save({ name: 'x', weights: { w_death: 1e9 } })).toThrow('weight w_death must be a number from −1e6 to 1e6')
    expect(() => library.save({ name: 'x', weights: { w_death: Number.NaN } })).toThrow('weight w_death must be a number')
    expect(() => library.delete('../../etc/passwd')).toThrow('is not a reward name')
    expect(files()).toEqual([])
  })

  test('an oversized or broken file is listed with its problem, and unreadable by name', () => {
    fs.mkdirSync(library.dir, { recursive: true })
    fs.writeFileSync(path.join(library.dir, 'huge.json'), ' '.repeat(MAX_REWARD_FILE_BYTES + 1))
    fs.writeFileSync(path.join(library.dir, 'broken.json'), '{oops')
    library.save({ name: 'fine', weights: {} })
    const listed = library.list()
    expect(listed.map((r) => r.name)).toEqual(['broken', 'fine', 'huge'])
    expect(listed[0]).toMatchObject({ problem: expect.stringMatching(/broken\.json: the reward file is not JSON/) })
    expect(listed[2]).toMatchObject({ problem: expect.stringMatching(/huge\.json: 65537 bytes is not a reward file \(at most 65536\)/) })
    expect(() => library.get('huge')).toThrow('65537 bytes is not a reward file')
    // A broken file can still be deleted; there is nothing to restore.
    expect(library.delete('broken')).toBeNull()
  })

  test('--reward NAME: a function, a saved reward as reward=custom with every weight, or one line', () => {
    const specs = getWorld('maze').params
    library.save({ name: 'careful', weights: { w_death: -2000 } })
    expect(rewardSettings('death_tax', specs, dataDir)).toEqual({ reward: 'death_tax' })
    expect(rewardSettings('careful', specs, dataDir)).toEqual({ reward: 'custom', ...DEFAULT_WEIGHTS, w_death: -2000 })
    const file = path.join(dataDir, 'elsewhere.json')
    fs.writeFileSync(file, JSON.stringify({ name: 'elsewhere', weights: { w_step: -1 } }))
    expect(rewardSettings(file, specs, dataDir)).toMatchObject({ reward: 'custom', w_step: -1 })
    expect(() => rewardSettings('nope', specs, dataDir)).toThrow(/^--reward: unknown reward "nope" \(known: vanilla, .*; or a saved reward's name, or a reward file\)$/)
    expect(() => rewardSettings('careful', getWorld('catch').params, dataDir)).toThrow('--reward: this world has no reward functions to choose from')
  })
})

describe('quarkade reward save / list / delete', () => {
  /** Runs the command and returns what it printed. */
  async function cli(...args: string[]): Promise<string> {
    let out = ''
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    try {
      expect(await rewardCommand([...args, '--data-dir', dataDir])).toBe(0)
    } finally {
      spy.mockRestore()
    }
    return out
  }

  test('saves, refuses to save over a name without --overwrite, lists and deletes', async () => {
    expect(JSON.parse(await cli('save', 'careful', '--set', 'w_death=-2000', '--json'))).toMatchObject({ name: 'careful', weights: { w_death: -2000 } })
    await expect(cli('save', 'careful', '--set', 'w_death=-1')).rejects.toThrow('a reward named "careful" is already saved; save with overwrite to replace it')
    expect(library.get('careful').weights.w_death).toBe(-2000)
    await cli('save', 'careful', '--set', 'w_death=-1', '--overwrite')
    expect(JSON.parse(await cli('list', '--json'))).toEqual([{ name: 'careful', weights: { ...DEFAULT_WEIGHTS, w_death: -1 } }])
    expect(await cli('delete', 'careful')).toContain('deleted reward "careful" (it was: w_pellet=10 w_power=50 w_ghost=200 w_fruit=100 w_death=-1')
    expect(files()).toEqual([])
    await expect(cli('delete')).rejects.toThrow('reward delete needs one NAME')
    await expect(cli('save', 'x', '--set', 'w_bonus=1')).rejects.toThrow('unknown weight "w_bonus"')
    await expect(cli('drop', 'x')).rejects.toThrow('reward: expected "save", "list" or "delete", got "drop"')
  })
})
