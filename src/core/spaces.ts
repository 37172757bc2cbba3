/**
 * Observation and action spaces, after Gymnasium: Discrete, Box and a Tuple of
 * parts (e.g. move × class). Each space has one flat numeric encoding per step,
 * which replays store (int32 for discrete parts, float32 when any part is a Box),
 * so action ids are never truncated and a tuple action is `parts.length` numbers.
 */
export interface BoxSpace {
  kind: 'box'
  shape: number[]
  low: number
  high: number
  /** Names of the components, index-aligned (a joystick's x and y), when they have names. */
  labels?: string[]
}
export interface DiscreteSpace {
  kind: 'discrete'
  n: number
  /** Human-readable action names, index-aligned. */
  labels: string[]
}
export interface TupleSpace {
  kind: 'tuple'
  parts: (DiscreteSpace | BoxSpace)[]
  /** What each part means ("move", "class"). */
  names: string[]
}
export type Space = BoxSpace | DiscreteSpace | TupleSpace

/** An action in a space: a number (Discrete), numbers (Box), or one value per part (Tuple). */
export type ActionOf<S extends Space> = S extends DiscreteSpace ? number : S extends BoxSpace ? Float32Array | number[] : (number | number[])[]

export function spaceSize(space: BoxSpace): number {
  return space.shape.reduce((a, b) => a * b, 1)
}

/** Numbers one step's action takes in the flat encoding. */
export function actionWidth(space: Space): number {
  switch (space.kind) {
    case 'discrete':
      return 1
    case 'box':
      return spaceSize(space)
    case 'tuple':
      return space.parts.reduce((s, p) => s + actionWidth(p), 0)
  }
}

/** int32 when every number is a discrete id, float32 when any part is continuous. */
export type ActionEncoding = 'i32' | 'f32'

export function actionEncoding(space: Space): ActionEncoding {
  if (space.kind === 'box') return 'f32'
  if (space.kind === 'tuple') return space.parts.some((p) => p.kind === 'box') ? 'f32' : 'i32'
  return 'i32'
}

/** Appends one action's flat numbers to `out`. */
export function encodeAction(space: Space, action: unknown, out: number[]): void {
  switch (space.kind) {
    case 'discrete':
      out.push(action as number)
      return
    case 'box':
      for (const v of Array.from(action as ArrayLike<number>)) out.push(v)
      return
    case 'tuple':
      space.parts.forEach((p, i) => encodeAction(p, (action as unknown[])[i], out))
  }
}

/** The action of step `k` from a flat encoding. */
export function decodeAction(space: Space, flat: ArrayLike<number>, k: number): unknown {
  const w = actionWidth(space)
  return decodeAt(space, flat, k * w)
}

function decodeAt(space: Space, flat: ArrayLike<number>, offset: number): unknown {
  switch (space.kind) {
    case 'discrete':
      return flat[offset]
    case 'box':
      return Array.from({ length: spaceSize(space) }, (_, i) => flat[offset + i])
    case 'tuple': {
      let o = offset
      return space.parts.map((p) => {
        const v = decodeAt(p, flat, o)
        o += actionWidth(p)
        return v
      })
    }
  }
}

/** "left", "(up-right, track)", "(0.31, −0.80)": an action as a person reads it. */
export function actionLabel(space: Space, action: unknown): string {
  switch (space.kind) {
    case 'discrete':
      return space.labels[action as number] ?? String(action)
    case 'box':
      return `(${(action as number[]).map((v) => v.toFixed(2)).join(', ')})`
    case 'tuple':
      return `(${space.parts.map((p, i) => actionLabel(p, (action as unknown[])[i])).join(', ')})`
  }
}

/** Checks a flat action array against its space before it is stored: ids in range, numbers finite. */
export function checkActions(space: Space, flat: ArrayLike<number>): string | null {
  const w = actionWidth(space)
  if (flat.length % w !== 0) return `${flat.length} action numbers is not a whole number of steps of ${w}`
  const check = (s: Space, v: number): string | null => {
    if (s.kind === 'discrete' && !(Number.isInteger(v) && v >= 0 && v < s.n)) return `action ${v} is outside 0…${s.n - 1}`
    if (s.kind === 'box' && !Number.isFinite(v)) return `action value ${v} is not a finite number`
    return null
  }
  const leaves: (DiscreteSpace | BoxSpace)[] = []
  const flatten = (s: Space): void => {
    if (s.kind === 'tuple') s.parts.forEach(flatten)
    else if (s.kind === 'box') for (let i = 0; i < spaceSize(s); i++) leaves.push(s)
    else leaves.push(s)
  }
  flatten(space)
  for (let i = 0; i < flat.length; i++) {
    const problem = check(leaves[i % w], flat[i])
    if (problem) return problem
  }
  return null
}
