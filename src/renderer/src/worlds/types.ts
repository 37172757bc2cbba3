/**
 * What the renderer knows about one world (a family: every version of Catch
 * draws and plays the same): its Pixi scene, how a person plays it with the
 * keyboard, and the panels it adds to the run detail, live view, replay and
 * Train form. Each world's folder has a `view.ts` exporting one WorldView;
 * worlds/index.ts discovers them. Components are loaded lazily, so the
 * registry imports no .vue file and no Pixi until a board or panel is shown.
 */
import type { Component, Ref } from 'vue'
import type { Env } from '../../../core/env'
import type { EnvAssets } from '../../../core/world'
import type { RunSummary } from '../../../shared/api'
import type { Scene } from './scene'

/** Keyboard play: hotkey names (see composables/hotkeys.ts) → the action label they press. */
export interface HumanPlayView {
  keys: Readonly<Record<string, string>>
  /** The action a timed tick does when no key was pressed (Catch: stay, Snake: keep going); null = wait. */
  idle: string | null
  /** One line under the board. */
  help: string
  /** 'step': one move per key press; 'timed': the game ticks at `speed` steps/s. */
  mode: 'step' | 'timed'
  speed: number
  /** Timed mode keeps doing the last key pressed until another, as a held joystick (the maze). */
  hold?: boolean
}

/** Panels a world adds to the app's views; each gets the props named. */
export interface WorldPanels {
  /** Train form, below the env settings (props: none; reads the train store). */
  train?: Component
  /** Run detail, below the charts (props: run). */
  run?: Component
  /** Live view, below the board (props: run). */
  live?: Component
  /** Replay view, below the player (props: run, episode: SimulatedEpisode, episodeNo, won). */
  replay?: Component
  /** The episode player's side panel, below the step facts (props: episode: SimulatedEpisode, frame: Frame): per-step details. */
  frame?: Component
}

/** A metric panel a world draws in its own way (keys from any of the run's metric specs). */
export interface WorldChart {
  title: string
  keys: readonly string[]
  /** A key drawn as a dashed reference line, never smoothed (Pixel Racer's shortest path). */
  reference?: string
}

export interface WorldView {
  /** The core world family this view draws (WorldInfo.family). */
  family: string
  /** Loads the scene (Pixi and the drawing code load when a board is first shown). */
  scene(): Promise<Scene>
  /**
   * What the scene needs that a state does not carry, shared by every frame of
   * an episode (the racer's track and trail), from the env and the states so far.
   */
  sceneWorld?(env: Env, states: readonly unknown[]): unknown
  /**
   * Extras a run's scene draws (the racer's policy overlay); called once per
   * component that shows the run, like any composable.
   */
  useOverlay?(run: () => RunSummary | null | undefined): Readonly<Ref<unknown>>
  /**
   * What re-simulating one of the run's episodes needs besides seed and actions,
   * fetched through the API: a data-backed world's events (WorldInfo.dataNeeds).
   * Rejects with a message naming the file when they cannot be read.
   */
  episodeAssets?(run: Pick<RunSummary, 'env' | 'config'>, seed: number): Promise<EnvAssets>
  /** Keyboard play; absent for worlds only agents play (the LArTPC categorisation game). */
  play?: HumanPlayView
  panels?: WorldPanels
  /** Metric panels drawn together in the world's way, before the generic ones. */
  charts?: readonly WorldChart[]
}
