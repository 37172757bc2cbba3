/**
 * The renderer's registries (src/renderer/src/worlds, src/renderer/src/run-kinds):
 * every agent world registered in core has a view whose scene draws the env's
 * real states and whose keys press real actions; every algorithm kind has a
 * run-kind view; the charts built from metric specs never put a fraction on
 * the axis of a value; compare rows come from the specs.
 */
import { generateEvents } from '../../src/core/lartpc/generate'
import { memoryEvents } from '../../src/core/lartpc/event'
import type { Space } from '../../src/core/spaces'
import { beforeAll, describe, expect, test } from 'vitest'
import { algosFor, listAlgos, listWorlds, makeEnv } from '../../src/core/catalog'
import type { RunSummary } from '../../src/shared/api'
import { metricRows } from '../../src/renderer/src/lib/compare'
import { listRunKindViews, noReplaysText, runKindView } from '../../src/renderer/src/run-kinds'
import { rlChartPanels, rlMetricSpecs } from '../../src/renderer/src/run-kinds/rl/metrics'
import { familyOf, listWorldViews, trackWorldFamily, worldView } from '../../src/renderer/src/worlds'

const rlWorlds = listWorlds().filter((w) => w.kind === 'rl')

beforeAll(() => {
  // Pixi reads navigator.userAgent when it loads (Node 20 has no navigator); nothing here renders to a screen.
  ;(globalThis as { navigator?: unknown }).navigator ??= { userAgent: 'node' }
})

describe('world views', () => {
  test('every agent world has a view with a scene', async () => {
    expect(rlWorlds.length).toBeGreaterThan(0)
    for (const world of rlWorlds) {
      const view = worldView(world.id)
      expect(view, `${world.id} has no view in src/renderer/src/worlds/${world.family}/view.ts`).toBeDefined()
      expect(worldView(world.family)).toBe(view) // a bare family name resolves to the same view
      // The scene loads and is a Pixi container with the Scene methods; drawing needs a browser canvas (the e2e tests draw).
      const scene = await view!.scene()
      expect(scene.root.constructor.name, world.id).toMatch(/Container/)
      for (const m of ['layout', 'draw', 'destroy'] as const) expect(typeof scene[m], `${world.id}: ${m}`).toBe('function')
      scene.destroy()
      // What the scene needs besides the states (the racer's track and trail) comes from the real env.
      if (view!.sceneWorld) {
        // A data-backed world (LArTPC) plays generated events; a tuple action is one id per part.
        const env = makeEnv(world.id, {}, 0, world.data ? { events: memoryEvents(generateEvents(4, 1, 32)) } : {})
        env.reset(3)
        const states = [env.renderState()]
        const space = env.actionSpace as Space
        env.step((space.kind === 'tuple' ? space.parts.map(() => 0) : 0) as never)
        states.push(env.renderState())
        expect(view!.sceneWorld(env, states), world.id).toBeTruthy()
      }
    }
  })

  test("human-play keys press actions the world's env has", () => {
    for (const world of rlWorlds) {
      const play = worldView(world.id)!.play
      // Worlds only agents play (LArTPC) have no keys.
      if (!play) continue
      const labels = makeEnv(world.id, {}, 0).actionSpace.labels
      for (const [key, label] of Object.entries(play.keys)) expect(labels, `${world.id}: ${key} → ${label}`).toContain(label)
      if (play.idle !== null) expect(labels).toContain(play.idle)
      expect(play.speed).toBeGreaterThan(0)
      expect(play.help.length).toBeGreaterThan(0)
    }
  })

  test('views are keyed by family; data sets have none; the track editor trains on the world with tracks', () => {
    for (const view of listWorldViews()) expect(listWorlds().some((w) => w.family === view.family)).toBe(true)
    expect(familyOf('catch-v1')).toBe('catch')
    expect(worldView('jets-v1')).toBeUndefined()
    expect(worldView('no-such-world')).toBeUndefined()
    const track = trackWorldFamily()
    expect(listWorlds().find((w) => w.family === track)?.track).toBe(true)
  })
})

function runOf(id: number, env: string, algo: string, latest: Record<string, number>): RunSummary {
  return {
    id,
    name: `run ${id}`,
    env,
    algo,
    seed: 1,
    backend: 'wasm',
    status: 'completed',
    statusReason: null,
    config: {
      env,
      algo,
      seed: 1,
      episodes: 10,
      backend: 'auto',
      target: null,
      checkpoint_every: 100,
      replay_every: 10,
      params: {},
      env_params: {},
      track: null,
      data: null,
      name: `run ${id}`,
    },
    createdAt: id,
    startedAt: 1000,
    endedAt: 2000,
    episodesDone: 10,
    envSteps: 0,
    gradSteps: 0,
    latest,
    modelEpisode: null,
    backendSkipped: [],
  } as RunSummary
}

describe('run-kind views', () => {
  test('every algorithm kind has a view, found through the run’s algorithm', () => {
    const kinds = new Set(listAlgos().map((a) => a.kind))
    expect(new Set(listRunKindViews().map((v) => v.kind))).toEqual(kinds)
    for (const algo of listAlgos()) {
      const world = listWorlds().find((w) => algosFor(w).includes(algo))!
      expect(runKindView({ algo: algo.id, env: world.id }).kind).toBe(algo.kind)
    }
    // Agents' runs have episodes (replay, play); generative runs do not.
    expect(runKindView({ algo: 'dqn', env: 'catch-v1' }).episodes).toBe(true)
    expect(runKindView({ algo: 'vae', env: 'jets-v1' }).episodes).toBe(false)
  })

  test('a run without replays says why: an agent’s come at its interval, a VAE never records any', () => {
    const vae = runOf(1, 'jets-v1', 'vae', {})
    expect(noReplaysText(vae)).toMatch(/learns from a data set in epochs: it plays no episodes, so it has no replays/)
    expect(noReplaysText(vae)).not.toMatch(/every/)
    expect(noReplaysText(runOf(2, 'catch-v1', 'dqn', {}))).toBe('A replay is recorded every 10 episodes; the first appears once training gets there.')
  })

  test('charts from metric specs: every spec charted once, fractions never on the axis of values', () => {
    for (const world of rlWorlds) {
      for (const algo of algosFor(world)) {
        const panels = rlChartPanels(algo, world, worldView(world.id)?.charts)
        const keys = panels.flatMap((p) => p.series.map((s) => s.key))
        const specs = rlMetricSpecs(algo, world)
        for (const s of specs) expect(keys.filter((k) => k === s.key), `${world.id} × ${algo.id}: ${s.key}`).toHaveLength(1)
        for (const p of panels) {
          for (const axis of ['y', 'y2'] as const) {
            const on = p.series.filter((s) => s.axis === axis).map((s) => specs.find((x) => x.key === s.key)?.fraction ?? false)
            expect(new Set(on).size, `${world.id} × ${algo.id}: "${p.title}" mixes fractions and values on ${axis}`).toBeLessThanOrEqual(1)
            if (on.length && on.every(Boolean)) expect(axis === 'y' ? p.yRange : p.y2Range).toEqual([0, 1])
          }
        }
      }
    }
    // Snake's returns grow with its length: its win rate gets its own 0–1 axis.
    const snake = rlChartPanels(listAlgos().find((a) => a.id === 'dqn'), listWorlds().find((w) => w.family === 'snake'))
    const outcome = snake.find((p) => p.title === 'Return & win rate')!
    expect(outcome.series.find((s) => s.key === 'win_rate')!.axis).toBe('y2')
    expect(outcome.series.find((s) => s.key === 'return')!.axis).toBe('y')
    expect(snake.map((p) => p.title)).toContain('Snake length · mean of last 100 episodes')
    // The maze counts games (rl-dash-days' per-100-games lines of score and actions).
    const maze = rlChartPanels(listAlgos().find((a) => a.id === 'dqn'), listWorlds().find((w) => w.family === 'maze'))
    const score = maze.find((p) => p.title === 'Score · mean of last 100 games')!
    expect(score.series.map((s) => [s.key, s.label])).toEqual([['score', 'each game'], ['mean_score', 'mean of last 100']])
    // The seed's "actions" per game are the game's length in agent steps.
    const length = maze.find((p) => p.title === 'Game length · mean of last 100 games')!
    expect(length.series.map((s) => s.key)).toEqual(['episode_length', 'mean_episode_length'])
    expect(maze.map((p) => p.title)).toContain('Score per action · mean of last 100 games')
    expect(snake.map((p) => p.title)).toContain('Episode length · mean of last 100 episodes')
  })

  test('the Q-table’s exploration is its noise, labelled from its spec (no ε)', () => {
    const racer = listWorlds().find((w) => w.track)!
    const qtable = listAlgos().find((a) => a.id === 'qtable')!
    const titles = rlChartPanels(qtable, racer, worldView(racer.id)?.charts).map((p) => p.title)
    expect(titles).toContain('Moves to the goal')
    expect(titles).toContain('Exploration noise (std)')
    expect(titles.join()).not.toMatch(/ε/)
  })

  test('compare rows come from the specs: the world’s own metrics, ranked where its view says which way is better', () => {
    const racer = listWorlds().find((w) => w.track)!.id
    const a = runOf(1, racer, 'qtable', { win_rate: 0.5, greedy_steps: 12, shortest_steps: 10, loss: 0.1, noise: 0.2 })
    const b = runOf(2, racer, 'qtable', { win_rate: 0.9, greedy_steps: 10, shortest_steps: 10, loss: 0.05, noise: 0.1 })
    const rows = metricRows([a, b], [undefined, undefined])
    const get = (k: string) => rows.find((r) => r.key === k)!
    expect(get('win_rate').best).toBe(1)
    expect(get('greedy_steps').best).toBe(1) // fewer moves
    expect(get('shortest_steps').best).toBe(-1) // a reference, not ranked
    expect(get('noise').label).toBe('Exploration noise (std)')
    expect(rows.some((r) => r.key === 'epsilon')).toBe(false)
  })
})
