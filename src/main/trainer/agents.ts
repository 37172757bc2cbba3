/** Makes the agent a run config asks for, fresh or restored from a checkpoint. */
import type { Env } from '../../core/env'
import type { AgentSnapshot, RlAgent } from '../../core/agent'
import { Dqn } from '../../core/agents/dqn'
import type { RunConfig } from '../../shared/api'

export function createAgent(config: RunConfig, env: Env): RlAgent {
  switch (config.algo) {
    case 'dqn':
      return Dqn.fromValues(env, config.params, config.seed)
    default:
      throw new Error(`the trainer has no agent for algo "${config.algo}"`)
  }
}

export async function restoreAgent(config: RunConfig, env: Env, snap: AgentSnapshot): Promise<RlAgent> {
  switch (snap.meta.kind) {
    case 'dqn':
      return Dqn.restore(env, snap)
    default:
      throw new Error(`checkpoint of kind "${String(snap.meta.kind)}" cannot be restored for algo "${config.algo}"`)
  }
}
