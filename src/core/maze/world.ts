/** The maze (a Ms. Pac-Man-like game) as a registered world. */
import type { ParamSpec, ParamValues } from '../params'
import type { WorldInfo } from '../world'
import { MazeEnv, type MazeState } from './env'
import type { MazePreset } from './layouts'
import { REWARD_EVENTS, REWARD_FUNCTIONS, type RewardFunction, type RewardWeights } from './rewards'

const MAZE_PARAMS: readonly ParamSpec[] = [
  { key: 'preset', label: 'Maze', type: 'select', default: 'full', options: ['full', 'small'], help: 'full: the first Ms. Pac-Man maze (28×31 tiles, 4 ghosts); small: 11×11 tiles, 2 ghosts — learnable on a CPU in minutes.' },
  {
    key: 'reward',
    label: 'Reward function',
    type: 'select',
    default: 'vanilla',
    options: REWARD_FUNCTIONS,
    help: 'r = score change over the step. vanilla r; life_penalty r − 1; death_tax r − death_pen·lives lost; ghostbusters r·ghost_mul when r > 200; split_q (r + 1, −death_pen·lives lost) with the ghost rule; parameterized ghost rule then death tax; custom: the event weights below.',
  },
  {
    key: 'death_pen',
    label: 'Death penalty',
    type: 'number',
    default: 500,
    min: 0,
    max: 1e6,
    help: 'Points taken per life lost (death_tax, split_q, parameterized).',
    shownWhen: { reward: ['death_tax', 'split_q', 'parameterized'] },
  },
  {
    key: 'ghost_mul',
    label: 'Ghost multiplier',
    type: 'number',
    default: 2,
    min: 0,
    max: 1000,
    help: 'Steps worth more than 200 points (a ghost eaten) count this many times (ghostbusters, split_q, parameterized).',
    shownWhen: { reward: ['ghostbusters', 'split_q', 'parameterized'] },
  },
  ...REWARD_EVENTS.map(
    (e): ParamSpec => ({
      key: e.key,
      label: `Weight: ${e.label.toLowerCase()}`,
      type: 'number',
      default: e.default,
      min: -1e6,
      max: 1e6,
      help: `custom reward: added per ${e.label.toLowerCase()}${e.key === 'w_step' ? ' (agent step)' : ''}.`,
      shownWhen: { reward: ['custom'] },
    }),
  ),
  { key: 'observation', label: 'Observation', type: 'select', default: 'frames', options: ['frames', 'tiles'], help: 'frames: greyscale pictures from our rasteriser; tiles: one 0/1 plane per kind of thing (walls, pellets, power pellets, ghosts, frightened ghosts, player, fruit).' },
  { key: 'frame_scale', label: 'Frame pixels per tile', type: 'int', default: 1, min: 1, max: 8, help: 'Resolution of the greyscale frames: the full maze is 28·s × 31·s pixels (1: one pixel per tile; 3: 84 wide, like the seed). Above 1, motion between tiles shows.' },
  { key: 'frame_stack', label: 'Stacked pictures', type: 'int', default: 4, min: 1, max: 8, help: 'The observation holds this many most recent pictures, oldest first.' },
  { key: 'frame_skip', label: 'Frame skip', type: 'int', default: 4, min: 1, max: 16, help: 'Game steps each action is held for; their rewards are summed.' },
  { key: 'max_steps', label: 'Step cap', type: 'int', default: 10000, min: 1, max: 1_000_000, help: 'Episodes are truncated after this many agent steps.' },
]

/** "3 120": thousands set apart by a narrow space, whatever the locale. */
export function formatPoints(points: number): string {
  return String(Math.round(points)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')
}

/** Double DQN with the seed's γ 0.95, sized for a CPU: tile-scale frames, a small conv net, batch 32. Split-Q's two networks are built the same way. */
const MAZE_DQN: ParamValues = {
  network: 'conv',
  conv_filters: [16, 32],
  hidden: [128],
  optimizer: 'adam',
  lr: 2.5e-4,
  gamma: 0.95,
  batch_size: 32,
  memory_size: 20000,
  nb_frames: 1,
  epsilon_start: 1,
  epsilon_end: 0.05,
  epsilon_decay_steps: 20_000,
  learning_starts: 1000,
  train_every: 4,
  target_network: 'hard',
  target_update_every: 500,
  double_dqn: true,
  // Huber loss and clipped gradients (the seed's choice): with MSE and no clipping the maze's 10–1600
  // point rewards made DQN forget what it learned (docs/maze.md, "Learning on the small maze").
  loss: 'huber',
  grad_clip_norm: 10,
}

export const mazeWorld: WorldInfo = {
  id: 'maze-v1',
  family: 'maze',
  version: 1,
  kind: 'rl',
  label: 'Maze',
  description:
    'A Ms. Pac-Man-like game: eat every pellet (10) of the maze, power pellets (50) turn the ghosts blue and edible (200, 400, 800, 1600 in a row), fruit, 3 lives. 9 joystick actions, each held for 4 game steps. Won when a level is cleared.',
  defaultAlgo: 'dqn',
  defaultEpisodes: 1000,
  successMetric: { key: 'win_rate', label: 'Games that cleared a level (last 100)', target: 0.5 },
  paramDefaults: { dqn: MAZE_DQN, 'split-q': MAZE_DQN },
  params: MAZE_PARAMS,
  episodeStats: [
    { key: 'score', label: 'Score', unit: 'points' },
    // Score over the game's length in agent steps (its actions): the seed dashboard's score/actions.
    { key: 'score_per_action', label: 'Score per action', unit: 'points/action' },
    { key: 'level', label: 'Level reached' },
    { key: 'lives_lost', label: 'Lives lost' },
    { key: 'pellets_eaten', label: 'Pellets eaten' },
    { key: 'ghosts_eaten', label: 'Ghosts eaten' },
  ],
  episodeNoun: 'game',
  // The seed dashboard's three box plots: score, actions (the game's length in agent steps) and score/actions of the last N games.
  boxStats: ['score', 'episode_length', 'score_per_action'],
  spaces: { observation: 'box', action: 'discrete' },
  phase: { key: 'lives', label: 'Lives' },
  outcome(won, state) {
    const s = state as Partial<MazeState> | undefined
    const points = s?.score === undefined ? '' : ` · ${formatPoints(s.score)} points`
    if (won) return s?.level ? `Cleared level ${s.level - 1}${points}` : 'Cleared a level'
    if (s?.gameOver) return `Game over${points}`
    return s ? `Out of steps${points}` : 'No level cleared'
  },
  make: (params, seed) =>
    new MazeEnv(seed, {
      preset: params.preset as MazePreset,
      observation: params.observation as 'frames' | 'tiles',
      scale: params.frame_scale as number,
      stack: params.frame_stack as number,
      frameSkip: params.frame_skip as number,
      maxSteps: params.max_steps as number,
      reward: {
        fn: params.reward as RewardFunction,
        deathPen: params.death_pen as number,
        ghostMul: params.ghost_mul as number,
        weights: Object.fromEntries(REWARD_EVENTS.map((e) => [e.key, params[e.key] as number])) as RewardWeights,
      },
    }),
}
