import { describe, expect, it } from 'vitest'
import { defaults, isShown, paramsSchema, parseParamText, type ParamSpec } from '../../src/core/params'
import { DQN_PARAMS } from '../../src/core/agents/dqn-params'
import { defaultParams, findAlgo, findWorld } from '../../src/core/catalog'

const schema = paramsSchema(DQN_PARAMS)
const spec = (key: string): ParamSpec => {
  const s = DQN_PARAMS.find((p) => p.key === key)
  if (!s) throw new Error(`no spec ${key}`)
  return s
}
const accepts = (input: Record<string, unknown>): boolean => schema.safeParse(input).success
/** The error messages for an input (empty when it is valid). */
const errors = (input: Record<string, unknown>): string => {
  const r = schema.safeParse(input)
  return r.success ? '' : r.error.issues.map((i) => i.message).join('; ')
}

describe('paramsSchema', () => {
  it('fills every missing key with its default', () => {
    const parsed = schema.parse({})
    expect(parsed).toEqual(defaults(DQN_PARAMS))
    expect(parsed).toEqual(defaultParams('catch', 'dqn'))
    expect(parsed).toMatchObject({ hidden: [100, 100], lr: 1e-3, gamma: 0.9, batch_size: 50, target_network: 'none', double_dqn: false })
    const partial = schema.parse({ lr: 0.01, double_dqn: true })
    expect(partial).toEqual({ ...defaults(DQN_PARAMS), lr: 0.01, double_dqn: true })
  })

  it('explains a hidden-layers value that is not a comma-separated list of whole numbers, as a user typed it', () => {
    const typed = parseParamText(spec('hidden'), '100, x')
    expect(typed).toBe('100, x')
    expect(errors({ hidden: typed })).toBe('hidden must be whole numbers separated by commas, e.g. 100, 100')
  })

  it('rejects unknown keys, naming them', () => {
    const r = schema.safeParse({ lr: 0.01, learning_rate: 0.01 })
    expect(r.success).toBe(false)
    expect(JSON.stringify(r.error?.issues)).toContain('learning_rate')
  })

  it('number with exclusiveMin: lr must be > 0 and ≤ 10, finite', () => {
    expect(accepts({ lr: 1e-9 })).toBe(true)
    expect(accepts({ lr: 10 })).toBe(true)
    expect(errors({ lr: 0 })).toMatch(/lr must be greater than 0/)
    expect(errors({ lr: -1e-3 })).toMatch(/lr/)
    expect(accepts({ lr: 10.5 })).toBe(false)
    expect(accepts({ lr: Number.NaN })).toBe(false)
    expect(accepts({ lr: Number.POSITIVE_INFINITY })).toBe(false)
    expect(errors({ lr: '0.01' })).toMatch(/lr must be a number/)
  })

  it('number with an inclusive min: gamma accepts 0 and 1, rejects outside', () => {
    expect(accepts({ gamma: 0 })).toBe(true)
    expect(accepts({ gamma: 1 })).toBe(true)
    expect(errors({ gamma: -0.1 })).toMatch(/gamma must be at least 0/)
    expect(errors({ gamma: 1.01 })).toMatch(/gamma must be at most 1/)
  })

  it('int: rejects non-integers and out-of-range values', () => {
    expect(accepts({ batch_size: 32 })).toBe(true)
    expect(errors({ batch_size: 32.5 })).toMatch(/batch_size must be a whole number/)
    expect(errors({ batch_size: 0 })).toMatch(/batch_size must be at least 1/)
    expect(errors({ batch_size: 4097 })).toMatch(/batch_size must be at most 4096/)
    expect(accepts({ memory_size: -1 })).toBe(true)
    expect(accepts({ memory_size: -2 })).toBe(false)
    expect(accepts({ nb_frames: 1.5 })).toBe(false)
  })

  it('select and boolean: only the listed options / real booleans', () => {
    for (const t of ['none', 'hard', 'soft']) expect(accepts({ target_network: t })).toBe(true)
    expect(errors({ target_network: 'sometimes' })).toMatch(/target_network must be one of none, hard, soft/)
    expect(accepts({ double_dqn: true })).toBe(true)
    expect(errors({ double_dqn: 'true' })).toMatch(/double_dqn must be true or false/)
  })

  it('int-list: whole numbers within bounds, as many as the spec needs', () => {
    expect(schema.parse({ hidden: [64, 32, 16] }).hidden).toEqual([64, 32, 16])
    // No hidden layer is a linear Q-function (Pixel Racer's Q-networks); convs need at least one layer.
    expect(schema.parse({ hidden: [] }).hidden).toEqual([])
    expect(errors({ conv_filters: [] })).toMatch(/conv_filters needs at least 1 entry/)
    expect(errors({ hidden: [64, 1.5] })).toMatch(/hidden entries must be whole numbers/)
    expect(errors({ hidden: [0] })).toMatch(/hidden entries must be at least 1/)
    expect(errors({ hidden: [5000] })).toMatch(/hidden entries must be at most 4096/)
  })

  it('reports every bad field at once', () => {
    const msg = errors({ lr: 0, batch_size: 2.5, target_network: 'x' })
    expect(msg).toMatch(/lr/)
    expect(msg).toMatch(/batch_size/)
    expect(msg).toMatch(/target_network/)
  })

  it('defaults() hands out fresh arrays', () => {
    const a = defaults(DQN_PARAMS)
    ;(a.hidden as number[]).push(7)
    expect(defaults(DQN_PARAMS).hidden).toEqual([100, 100])
    expect(defaultParams('catch', 'dqn').hidden).toEqual([100, 100])
  })

  it('defaultParams rejects an unknown algorithm', () => {
    expect(() => defaultParams('catch', 'ppo-9000')).toThrow(/unknown algorithm/)
  })
})

describe('parseParamText', () => {
  it('reads numbers, ints, booleans, selects and int lists', () => {
    expect(parseParamText(spec('lr'), '1e-3')).toBe(0.001)
    expect(parseParamText(spec('lr'), ' 0.5 ')).toBe(0.5)
    expect(parseParamText(spec('batch_size'), '64')).toBe(64)
    expect(parseParamText(spec('double_dqn'), 'true')).toBe(true)
    expect(parseParamText(spec('double_dqn'), 'false')).toBe(false)
    expect(parseParamText(spec('target_network'), 'soft')).toBe('soft')
    expect(parseParamText(spec('hidden'), '100,100')).toEqual([100, 100])
    expect(parseParamText(spec('hidden'), ' 64 , 32 ')).toEqual([64, 32])
  })

  it('returns the raw text when it cannot be read, so the schema names the problem', () => {
    expect(parseParamText(spec('lr'), 'fast')).toBe('fast')
    expect(parseParamText(spec('lr'), '')).toBe('')
    expect(parseParamText(spec('lr'), '   ')).toBe('   ')
    expect(parseParamText(spec('double_dqn'), 'yes')).toBe('yes')
    expect(parseParamText(spec('hidden'), '64,big')).toBe('64,big')
    expect(parseParamText(undefined, 'whatever')).toBe('whatever')
  })

  it('feeds the schema: CLI-style --set values validate end to end', () => {
    const fromText = (pairs: Record<string, string>): ReturnType<typeof schema.safeParse> =>
      schema.safeParse(Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, parseParamText(DQN_PARAMS.find((p) => p.key === k), v)])))
    const ok = fromText({ lr: '5e-4', hidden: '32,32', double_dqn: 'true', target_network: 'hard' })
    expect(ok.success).toBe(true)
    expect(ok.data).toMatchObject({ lr: 5e-4, hidden: [32, 32], double_dqn: true, target_network: 'hard', gamma: 0.9 })
    const bad = fromText({ lr: 'fast' })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0].message).toMatch(/lr must be a number/)
    expect(fromText({ batch_size: '1.5' }).success).toBe(false)
    expect(fromText({ typo_key: '1' }).success).toBe(false)
  })
})

describe('isShown: settings that act only under others', () => {
  const maze = findWorld('maze')!
  const algo = findAlgo('split-q')!
  const shown = (specs: readonly ParamSpec[], values: Record<string, unknown>): string[] => specs.filter((s) => isShown(s, values)).map((s) => s.key)

  it("shows the maze's death penalty, ghost multiplier and event weights only with a reward function that uses them", () => {
    const keysWith = (reward: string): string[] => shown(maze.params, { ...defaults(maze.params), reward })
    expect(keysWith('vanilla').some((k) => k === 'death_pen' || k === 'ghost_mul' || k.startsWith('w_'))).toBe(false)
    expect(keysWith('death_tax')).toContain('death_pen')
    expect(keysWith('death_tax')).not.toContain('ghost_mul')
    expect(keysWith('ghostbusters')).toContain('ghost_mul')
    expect(keysWith('split_q')).toEqual(expect.arrayContaining(['death_pen', 'ghost_mul']))
    expect(keysWith('custom').filter((k) => k.startsWith('w_'))).toEqual(['w_pellet', 'w_power', 'w_ghost', 'w_fruit', 'w_death', 'w_level', 'w_step'])
    // Settings without a condition always show.
    expect(keysWith('vanilla')).toEqual(expect.arrayContaining(['preset', 'reward', 'observation', 'max_steps']))
  })

  it("shows Split-Q's four weights and memories only under the custom preset, as the form's text holds them", () => {
    const biases = ['w_r', 'lambda_r', 'w_p', 'lambda_p']
    expect(shown(algo.params, { split_preset: 'chronic_pain' }).filter((k) => biases.includes(k))).toEqual([])
    expect(shown(algo.params, { split_preset: 'custom' }).filter((k) => biases.includes(k))).toEqual(biases)
    expect(isShown({ shownWhen: { n: [4] } }, { n: '4' })).toBe(true)
    expect(isShown({ shownWhen: { n: [4] } }, { n: 5 })).toBe(false)
    // A condition on a setting the list does not have holds.
    expect(isShown({ shownWhen: { absent: ['x'] } }, {})).toBe(true)
  })
})
