/**
 * The registry of what can be trained: worlds and algorithms, each declared in
 * its own folder and listed here once — adding a world is one line below.
 * Ids are versioned (`catch-v1`); a bare family name (`catch`, as runs stored
 * before versions were recorded) resolves to version 1, the rules those runs
 * were recorded with, so their replays keep re-simulating exactly.
 * Imports no tfjs, so the renderer uses it to re-simulate replays.
 */
import type { AlgoInfo } from './algorithm'
import type { Env } from './env'
import { defaults, paramsSchema, type ParamValues } from './params'
import type { EnvAssets, WorldInfo } from './world'
import { catchWorld } from './catch/world'
import { snakeWorld, snakeWorldV1 } from './snake/world'
import { dqnQlearning4kAlgo } from './snake/presets'
import { racerWorld } from './racer/world'
import { jetsWorld } from './jets/world'
import { lartpcWorld } from './lartpc/world'
import { mazeWorld } from './maze/world'
import { ddqnSeedAlgo, dqnAlgo, qnnMapAlgo, qnnOnehotAlgo } from './agents/dqn-params'
import { splitQAlgo } from './agents/split-q-params'
import { ppoAlgo, ppoJoystickAlgo } from './agents/ppo-params'
import { qtableAlgo } from './agents/qtable'
import { twoHeadDqnAlgo, twoHeadDqnSeedAlgo } from './agents/two-head-dqn-params'
import { vaeAlgo } from './vae/params'

export type { AlgoInfo, AlgoOutputs } from './algorithm'
export type { EnvAssets, MetricSpec, WorldInfo } from './world'

const worlds = new Map<string, WorldInfo>()
const algos = new Map<string, AlgoInfo>()

export function registerWorld(world: WorldInfo): void {
  if (world.id !== `${world.family}-v${world.version}`) throw new Error(`world id "${world.id}" must be "${world.family}-v${world.version}"`)
  if (worlds.has(world.id)) throw new Error(`world "${world.id}" is registered twice`)
  worlds.set(world.id, world)
}

export function registerAlgo(algo: AlgoInfo): void {
  if (algos.has(algo.id)) throw new Error(`algorithm "${algo.id}" is registered twice`)
  algos.set(algo.id, algo)
}

registerAlgo(dqnAlgo)
registerAlgo(qtableAlgo)
registerAlgo(qnnOnehotAlgo)
registerAlgo(qnnMapAlgo)
registerAlgo(ddqnSeedAlgo)
registerAlgo(dqnQlearning4kAlgo)
registerAlgo(splitQAlgo)
registerAlgo(ppoAlgo)
registerAlgo(ppoJoystickAlgo)
registerAlgo(vaeAlgo)
registerAlgo(twoHeadDqnAlgo)
registerAlgo(twoHeadDqnSeedAlgo)

registerWorld(catchWorld)
registerWorld(snakeWorldV1)
registerWorld(snakeWorld)
registerWorld(racerWorld)
registerWorld(jetsWorld)
registerWorld(lartpcWorld)
registerWorld(mazeWorld)

/** The newest version of each world, in registration order: what the Train form offers. */
export function listWorlds(): WorldInfo[] {
  const newest = new Map<string, WorldInfo>()
  for (const w of worlds.values()) if ((newest.get(w.family)?.version ?? 0) < w.version) newest.set(w.family, w)
  return [...newest.values()]
}

export function listAlgos(): AlgoInfo[] {
  return [...algos.values()]
}

/** The world with this exact versioned id, or — for a bare family name — its version 1 (pre-version runs). */
export function findWorld(id: string): WorldInfo | undefined {
  return worlds.get(id) ?? worlds.get(`${id}-v1`)
}

export function getWorld(id: string): WorldInfo {
  const w = findWorld(id)
  if (!w) throw new Error(`unknown env "${id}" (known: ${listWorlds().map((x) => x.id).join(', ')})`)
  return w
}

/** What a new run records for a user's `--env catch` or `catch-v1`: the newest version of a bare family name. */
export function resolveWorldId(id: string): string | undefined {
  if (worlds.has(id)) return id
  return listWorlds().find((w) => w.family === id)?.id
}

export function findAlgo(id: string): AlgoInfo | undefined {
  return algos.get(id)
}

export function getAlgo(id: string): AlgoInfo {
  const a = algos.get(id)
  if (!a) throw new Error(`unknown algorithm "${id}" (known: ${listAlgos().map((x) => x.id).join(', ')})`)
  return a
}

/** The algorithms that can learn a world, the world's default first. */
export function algosFor(world: WorldInfo): AlgoInfo[] {
  const fit = listAlgos().filter((a) => (!a.worlds || a.worlds.includes(world.family)) && a.supports(world) === null)
  const first = fit.findIndex((a) => a.id === world.defaultAlgo)
  if (first > 0) fit.unshift(...fit.splice(first, 1))
  return fit
}

export function makeEnv(id: string, envParams: ParamValues = {}, seed = 0, assets: EnvAssets = {}): Env {
  const world = getWorld(id)
  if (!world.make) throw new Error(`${world.label} is a data set for generative models, not an environment`)
  return world.make(paramsSchema(world.params).parse({ ...defaults(world.params), ...envParams }), seed, assets)
}

export function defaultParams(worldId: string, algoId: string): ParamValues {
  const algo = getAlgo(algoId)
  return { ...defaults(algo.params), ...(findWorld(worldId)?.paramDefaults[algoId] ?? {}) }
}

/** The env settings a run uses: the env's defaults, the user's values, then what the algorithm fixes. */
export function effectiveEnvParams(worldId: string, algoId: string, values: ParamValues): ParamValues {
  return { ...defaults(findWorld(worldId)?.params ?? []), ...values, ...(findAlgo(algoId)?.envOverrides ?? {}) }
}

/** A world as plain data (what `catalog.get` sends across a process boundary), with the algorithms that fit it. */
export interface WorldDescriptor extends Omit<WorldInfo, 'outcome' | 'make' | 'monitor' | 'dataNeeds' | 'evaluate'> {
  algos: string[]
}
export type AlgoDescriptor = Omit<AlgoInfo, 'supports'>

export function describeWorld(w: WorldInfo): WorldDescriptor {
  const { outcome: _o, make: _m, monitor: _mo, dataNeeds: _d, evaluate: _e, ...data } = w
  return { ...data, algos: algosFor(w).map((a) => a.id) }
}

export function describeAlgo(a: AlgoInfo): AlgoDescriptor {
  const { supports: _s, ...data } = a
  return data
}
