/**
 * Pixel Racer's env settings as a ParamSpec list (for the Train form and the
 * CLI's --set flags, like the algorithms' lists) and the factory that reads them.
 */
import type { ParamSpec, ParamValues } from '../params'
import { BUILTIN_TRACK_NAMES, builtinTrack, type BuiltinTrackName } from './builtin-tracks'
import { DEFAULT_RACER_MAX_STEPS, RACER_OBS_MODES, RacerEnv, type RacerObsMode } from './env'
import type { Track } from './track'

export const RACER_ENV_PARAMS: readonly ParamSpec[] = [
  { key: 'track', label: 'Track', type: 'select', default: 'track1', options: BUILTIN_TRACK_NAMES, help: "A built-in track: the seed's track1 and track2 and their flipped / rotated variants." },
  { key: 'obs', label: 'Observation', type: 'select', default: 'onehot', options: RACER_OBS_MODES, help: "onehot: the racer's position; map: the whole track flattened (wall 1, goal 0.25, racer 0.5); image: walls / goals / racer channels." },
  { key: 'step_cost', label: 'Step cost', type: 'number', default: 0, min: 0, help: 'Subtracted from the reward of every move that does not reach a goal.' },
  { key: 'max_steps', label: 'Step cap', type: 'int', default: DEFAULT_RACER_MAX_STEPS, min: 1, help: 'Moves after which an episode is cut short (truncated).' },
]

/** A RacerEnv from RACER_ENV_PARAMS values; `track` overrides the built-in one (an edited or imported track). */
export function makeRacerEnv(values: ParamValues, track?: Track): RacerEnv {
  return new RacerEnv(track ?? builtinTrack(values.track as BuiltinTrackName), {
    obs: values.obs as RacerObsMode,
    stepCost: values.step_cost as number,
    maxSteps: values.max_steps as number,
  })
}
