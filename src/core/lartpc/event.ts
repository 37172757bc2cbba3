/**
 * A 2-D liquid-argon TPC event as the LArTPC world sees it, whatever file it
 * came from: energies and truth classes on one pixel grid. The main process
 * reads the three detector formats (src/main/data/lartpc/) into this shape;
 * the env, the generator and the renderer share it.
 */

/** The game's classes, by label value. */
export const LARTPC_CLASSES = ['blank', 'EM shower', 'track'] as const
export const N_CLASSES = LARTPC_CLASSES.length

/** PILArNet's semantic types, by type value (cluster's last column). */
export const PILARNET_TYPES = ['shower', 'track', 'Michel', 'delta', 'low energy'] as const

export interface DetectorEvent {
  /** Pixels per row and rows; arrays are row-major, index = row · width + col. */
  width: number
  height: number
  /** Deposited energy per pixel (≥ 0; 0 = nothing seen). */
  energy: Float32Array
  /** Truth class per pixel (LARTPC_CLASSES). */
  label: Uint8Array
}

/** The events a run or a view reads, by index; reads are synchronous (files are read lazily and cached by the reader). */
export interface EventSource {
  readonly count: number
  event(index: number): DetectorEvent
}

/** How 3-D points (PILArNet) become a 2-D event: the plane, pixels per side, and each semantic type's game class. */
export interface Projection {
  plane: 'xy' | 'yz' | 'xz'
  resolution: number
  /** classMap[type] = game class, for each of PILARNET_TYPES. */
  classMap: number[]
}

/** Michel electrons and delta rays are showers to the game's three classes; low-energy deposits are blank. */
export const DEFAULT_PROJECTION: Projection = { plane: 'xy', resolution: 256, classMap: [1, 2, 1, 1, 0] }

/** Pixels of each class, in LARTPC_CLASSES order. */
export function classCounts(ev: DetectorEvent): number[] {
  const counts = new Array<number>(N_CLASSES).fill(0)
  for (let i = 0; i < ev.label.length; i++) counts[ev.label[i]]++
  return counts
}

/** A source over events already in memory (generated events, one fetched event in the renderer, tests). */
export function memoryEvents(events: readonly DetectorEvent[]): EventSource {
  return { count: events.length, event: (i) => events[i] }
}
