/**
 * qlearning4k — "Q-learning for Keras" — in TypeScript over tfjs:
 *
 *   import { Agent, Catch } from 'src/core/qlearning4k'
 *   const agent = new Agent({ model })   // a compiled tf.LayersModel
 *   await agent.train(new Catch())
 *   console.log(`Accuracy ${100 * (await agent.play(new Catch()))} %`)
 *
 * Games are the Game interface; gameFromEnv / envFromGame convert between Games
 * and the app's Envs.
 */
export type { Game } from './game'
export { EnvGame, gameFromEnv, envFromGame, type GameEnvOptions, type GameRenderState } from './adapters'
export { Catch, Snake } from './games'
export { ExperienceReplay, type TransitionBatch } from './memory'
export { Agent, formatEpoch, type AgentOptions, type TrainOptions, type PlayOptions, type EpochInfo, type TrainHistory, type SaveFn } from './agent'
