/**
 * The registries: versioned worlds (old runs keep resolving to the rules they
 * were recorded with), algorithms that declare what they can learn, action
 * spaces with their flat encodings, and replays stored without the old
 * one-byte limit — with a migration that keeps older databases readable.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { algosFor, findWorld, getWorld, listWorlds, makeEnv, registerWorld, resolveWorldId } from '../../src/core/catalog'
import { actionEncoding, actionLabel, actionWidth, checkActions, decodeAction, encodeAction, type Space } from '../../src/core/spaces'
import { MIGRATIONS, RunStore, SCHEMA_VERSION } from '../../src/main/services/run-store'
import { resolveRunConfig } from '../../src/shared/api'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-registry-'))
  dirs.push(d)
  return d
}

describe('world registry', () => {
  it('lists each world once with a versioned id, and resolves bare names to version 1 for stored runs', () => {
    const ids = listWorlds().map((w) => w.id)
    // Adding a world adds its id here without editing this test (docs/adding-a-world.md).
    expect(ids).toEqual(expect.arrayContaining(['catch-v1', 'snake-v2', 'racer-v1', 'jets-v1']))
    expect(new Set(ids).size).toBe(ids.length)
    for (const w of listWorlds()) expect(w.id).toBe(`${w.family}-v${w.version}`)
    // A run stored before versions were recorded says "catch": it replays with v1's rules.
    expect(findWorld('catch')?.id).toBe('catch-v1')
    // A new run's bare name gets the newest version; a stored "snake" still finds v1 (the seed's reward).
    expect(resolveWorldId('snake')).toBe('snake-v2')
    expect(findWorld('snake')?.id).toBe('snake-v1')
    expect(findWorld('pong')).toBeUndefined()
    expect(() => getWorld('pong')).toThrow(/unknown env "pong" \(known: catch-v1, snake-v2, racer-v1, jets-v1/)
  })

  it('records the versioned id on new runs, whatever the user typed', () => {
    expect(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1 }).env).toBe('catch-v1')
    expect(resolveRunConfig({ env: 'catch-v1', algo: 'dqn', seed: 1 }).env).toBe('catch-v1')
    expect(() => resolveRunConfig({ env: 'catch-v9', algo: 'dqn' })).toThrow(/unknown env "catch-v9"/)
  })

  it('refuses a second registration and an id that does not match its family and version', () => {
    expect(() => registerWorld(getWorld('catch-v1'))).toThrow(/registered twice/)
    expect(() => registerWorld({ ...getWorld('catch-v1'), id: 'catch-v2' })).toThrow(/must be "catch-v1"/)
  })

  it('offers each world the algorithms that declare they can learn it, its default first', () => {
    const offered = (id: string): string[] => algosFor(getWorld(id)).map((a) => a.id)
    expect(offered('catch')).toEqual(['dqn', 'split-q', 'ppo'])
    expect(offered('snake')).toEqual(['dqn', 'dqn-qlearning4k', 'split-q', 'ppo'])
    expect(offered('racer')).toEqual(['qtable', 'dqn', 'qnn-onehot', 'qnn-map', 'split-q', 'ppo'])
    expect(offered('maze')).toEqual(['dqn', 'ddqn-seed', 'split-q', 'ppo', 'ppo-joystick'])
    expect(offered('jets')).toEqual(['vae'])
    // The refusal names why: a Q-table needs a finite set of states.
    expect(() => resolveRunConfig({ env: 'catch', algo: 'qtable' })).toThrow(/a Q-table needs a world with a finite set of states/)
    expect(() => resolveRunConfig({ env: 'jets', algo: 'dqn', data: { path: '/x.h5' } })).toThrow(/Quark\/gluon jets is a data set/)
  })

  it('reads outcomes in each world’s own words', () => {
    expect(getWorld('catch').outcome(true)).toBe('Caught')
    expect(getWorld('snake').outcome(true, { length: 6, dead: false })).toBe('Grew to 6')
    expect(getWorld('snake').outcome(false, { length: 3, dead: true })).toBe('Crashed')
    expect(getWorld('racer').outcome(true, { steps: 18 })).toBe('Reached the goal in 18')
  })

  it('makes envs through the registry, and says plainly that a data set is not an environment', () => {
    expect(makeEnv('snake', { max_steps: 7 }).actionSpace.n).toBe(5)
    expect(() => makeEnv('jets')).toThrow(/data set for generative models, not an environment/)
  })
})

describe('action spaces', () => {
  const discrete: Space = { kind: 'discrete', n: 1000, labels: [] }
  const tuple: Space = {
    kind: 'tuple',
    names: ['move', 'class'],
    parts: [
      { kind: 'discrete', n: 8, labels: ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'] },
      { kind: 'discrete', n: 3, labels: ['blank', 'shower', 'track'] },
    ],
  }
  const box: Space = { kind: 'box', shape: [2], low: -1, high: 1, labels: ['x', 'y'] }

  it('encodes each step flat and decodes it back, ids beyond 255 included', () => {
    for (const [space, actions] of [
      [discrete, [0, 300, 999]],
      [tuple, [[2, 1], [7, 2]]],
      [box, [[0.25, -0.5], [1, 0]]],
    ] as [Space, unknown[]][]) {
      const flat: number[] = []
      for (const a of actions) encodeAction(space, a, flat)
      expect(flat.length).toBe(actions.length * actionWidth(space))
      expect(actions.map((_, k) => decodeAction(space, flat, k))).toEqual(actions)
      expect(checkActions(space, flat)).toBeNull()
    }
    expect(actionEncoding(discrete)).toBe('i32')
    expect(actionEncoding(tuple)).toBe('i32')
    expect(actionEncoding(box)).toBe('f32')
    expect(actionLabel(tuple, [2, 1])).toBe('(e, shower)')
  })

  it('names an action outside its space', () => {
    expect(checkActions(tuple, [2, 3])).toBe('action 3 is outside 0…2')
    expect(checkActions(tuple, [2])).toMatch(/not a whole number of steps of 2/)
    expect(checkActions(box, [0, Number.NaN])).toMatch(/not a finite number/)
  })
})

describe('replays by the space’s encoding', () => {
  it('stores action ids above 255 exactly (they used to wrap) and float actions as float32', () => {
    const store = new RunStore(tmp())
    const run = store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1 }))
    store.writeBatch(run.id, {
      metrics: [],
      episodes: [
        { episode: 0, seed: 5, return: 1, length: 3, won: true, actions: [0, 256, 70000], actionEncoding: 'i32', outputs: [0.5, 1.5, 2.5] },
        { episode: 1, seed: 6, return: 0, length: 2, won: false, actions: [0.25, -0.75], actionEncoding: 'f32', outputs: null },
      ],
      progress: null,
    })
    expect(store.replay(run.id, 0)).toMatchObject({ actions: [0, 256, 70000], outputs: [0.5, 1.5, 2.5], env: 'catch-v1' })
    expect(store.replay(run.id, 1).actions).toEqual([0.25, -0.75])
    store.close()
  })

  it('migrates a version-5 database: its one-byte replays and bare env ids stay readable', () => {
    const dir = tmp()
    const db = new Database(path.join(dir, 'quarkade.sqlite'))
    for (const sql of MIGRATIONS.slice(0, 5)) db.exec(sql)
    db.pragma('user_version = 5')
    const config = { ...resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 3 }), env: 'catch' }
    db.prepare(`INSERT INTO runs (id, name, env, algo, seed, status, config, created_at) VALUES (1, 'old', 'catch', 'dqn', 3, 'completed', ?, 0)`).run(
      JSON.stringify(config),
    )
    db.prepare('INSERT INTO episodes (run_id, episode, seed, return, length, won) VALUES (1, 0, 9, 1, 3, 1)').run()
    db.prepare('INSERT INTO replays (run_id, episode, seed, actions, q_values) VALUES (1, 0, 9, ?, ?)').run(
      Buffer.from([2, 0, 1]),
      Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer),
    )
    db.close()
    const store = new RunStore(dir)
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const replay = store.replay(1, 0)
    expect(replay.actions).toEqual([2, 0, 1])
    expect(replay.outputs).toHaveLength(9)
    // The old run's bare id resolves to the rules it was recorded with.
    expect(findWorld(store.getRun(1).env)?.id).toBe('catch-v1')
    store.close()
  })
})
