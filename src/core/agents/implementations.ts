/**
 * The trainer's side of the algorithm registry: AlgoInfo.impl → the entry
 * points of the algorithm's one-file implementation. Imports tfjs, so only the
 * trainer, the CLI's model import and tests use it (catalog.ts stays tfjs-free).
 */
import type { AlgoImplementation } from '../agent'
import { getAlgo } from '../catalog'
import { dqnImplementation } from './dqn'
import { qtableImplementation } from './qtable'
import { twoHeadDqnImplementation } from './two-head-dqn'
import { splitQImplementation } from './split-q'
import { ppoImplementation } from './ppo'

const implementations: Record<string, AlgoImplementation> = {
  dqn: dqnImplementation,
  qtable: qtableImplementation,
  'two-head-dqn': twoHeadDqnImplementation,
  'split-q': splitQImplementation,
  ppo: ppoImplementation,
}

export function implementationOf(algoId: string): AlgoImplementation {
  const algo = getAlgo(algoId)
  const impl = implementations[algo.impl]
  if (!impl) throw new Error(`${algo.label} has no agent implementation in this trainer (it trains through its own job)`)
  return impl
}
