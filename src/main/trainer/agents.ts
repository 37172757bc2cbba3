/** Makes the agent a run config asks for, fresh or restored from a checkpoint. */
import type { Env } from '../../core/env'
import type { AgentSnapshot, RlAgent } from '../../core/agent'
import { ALGOS } from '../../core/catalog'
import { Dqn } from '../../core/agents/dqn'
import { QTable, type TabularEnv } from '../../core/agents/qtable'
import type { RunConfig } from '../../shared/api'

function tabular(env: Env, algo: string): TabularEnv {
  if (!('numStates' in env)) throw new Error(`${algo} needs an env with a finite set of states (Pixel Racer), not ${env.id}`)
  return env as TabularEnv
}

export function createAgent(config: RunConfig, env: Env): RlAgent {
  switch (ALGOS[config.algo]?.agent) {
    case 'dqn':
      return Dqn.fromValues(env, config.params, config.seed)
    case 'qtable':
      return QTable.fromValues(tabular(env, config.algo), config.params, config.seed)
    default:
      throw new Error(`the trainer has no agent for algo "${config.algo}"`)
  }
}

export async function restoreAgent(config: RunConfig, env: Env, snap: AgentSnapshot): Promise<RlAgent> {
  switch (snap.meta.kind) {
    case 'dqn':
      return Dqn.restore(env, snap)
    case 'qtable':
      return QTable.fromJSON(tabular(env, config.algo), snap.meta)
    default:
      throw new Error(`checkpoint of kind "${String(snap.meta.kind)}" cannot be restored for algo "${config.algo}"`)
  }
}
