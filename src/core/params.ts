/**
 * Declarative hyper-parameter specs. One list per algorithm gives the defaults,
 * bounds and help text; the same list builds the zod schema that validates the
 * Train form, the CLI's --set flags and the trainer's input.
 */
import { z } from 'zod'

/**
 * When a setting means something: the other settings of the same list (by key)
 * and the values under which it acts, e.g. `{ reward: ['death_tax', 'split_q'] }`
 * for a death penalty. Every condition must hold. Forms hide a setting whose
 * conditions fail (and send its default); a run's table marks it unused.
 */
export type ShownWhen = Readonly<Record<string, readonly (string | number | boolean)[]>>

export type ParamSpec = (
  | { key: string; label: string; help: string; type: 'number'; default: number; min?: number; max?: number; exclusiveMin?: boolean }
  | { key: string; label: string; help: string; type: 'int'; default: number; min?: number; max?: number }
  | { key: string; label: string; help: string; type: 'boolean'; default: boolean }
  | { key: string; label: string; help: string; type: 'select'; default: string; options: readonly string[] }
  | { key: string; label: string; help: string; type: 'int-list'; default: number[]; min?: number; max?: number; minItems?: number }
) & { shownWhen?: ShownWhen }

export type ParamValues = Record<string, number | boolean | string | number[]>

/**
 * Whether a setting acts, given the values of its list (as values or as the
 * text a form holds: compared as text). A condition on a key the list lacks holds.
 */
export function isShown(spec: Pick<ParamSpec, 'shownWhen'>, values: Readonly<Record<string, unknown>>): boolean {
  for (const [key, allowed] of Object.entries(spec.shownWhen ?? {})) {
    if (!(key in values)) continue
    const v = String(values[key])
    if (!allowed.some((a) => String(a) === v)) return false
  }
  return true
}

function fieldSchema(spec: ParamSpec): z.ZodType {
  switch (spec.type) {
    case 'number': {
      let s = z.number({ error: `${spec.key} must be a number` }).refine(Number.isFinite, `${spec.key} must be finite`)
      if (spec.min !== undefined) {
        const min = spec.min
        s = spec.exclusiveMin
          ? s.refine((v) => v > min, `${spec.key} must be greater than ${min}`)
          : s.refine((v) => v >= min, `${spec.key} must be at least ${min}`)
      }
      if (spec.max !== undefined) {
        const max = spec.max
        s = s.refine((v) => v <= max, `${spec.key} must be at most ${max}`)
      }
      return s
    }
    case 'int': {
      let s = z.number({ error: `${spec.key} must be a number` }).int(`${spec.key} must be a whole number`)
      if (spec.min !== undefined) s = s.min(spec.min, `${spec.key} must be at least ${spec.min}`)
      if (spec.max !== undefined) s = s.max(spec.max, `${spec.key} must be at most ${spec.max}`)
      return s
    }
    case 'boolean':
      return z.boolean({ error: `${spec.key} must be true or false` })
    case 'select':
      return z.enum(spec.options as [string, ...string[]], { error: `${spec.key} must be one of ${spec.options.join(', ')}` })
    case 'int-list': {
      const listError = `${spec.key} must be whole numbers separated by commas, e.g. ${spec.default.length ? spec.default.join(', ') : '100, 100'}`
      let item = z.number({ error: listError }).int(`${spec.key} entries must be whole numbers`)
      if (spec.min !== undefined) item = item.min(spec.min, `${spec.key} entries must be at least ${spec.min}`)
      if (spec.max !== undefined) item = item.max(spec.max, `${spec.key} entries must be at most ${spec.max}`)
      const minItems = spec.minItems ?? 1
      return z.array(item, { error: listError }).min(minItems, `${spec.key} needs at least ${minItems} entr${minItems === 1 ? 'y' : 'ies'}`)
    }
  }
}

/** Schemas by spec list: building one costs ~10 ms (zod), and the lists are the registry's constants. */
const schemaCache = new WeakMap<readonly ParamSpec[], z.ZodType<ParamValues>>()

/** A strict object schema: unknown keys are errors, missing keys take their defaults. */
export function paramsSchema(specs: readonly ParamSpec[]): z.ZodType<ParamValues> {
  const cached = schemaCache.get(specs)
  if (cached) return cached
  const shape: Record<string, z.ZodType> = {}
  for (const spec of specs) shape[spec.key] = fieldSchema(spec).default(spec.default as never)
  const schema = z.strictObject(shape) as unknown as z.ZodType<ParamValues>
  schemaCache.set(specs, schema)
  return schema
}

export function defaults(specs: readonly ParamSpec[]): ParamValues {
  return Object.fromEntries(specs.map((s) => [s.key, Array.isArray(s.default) ? [...s.default] : s.default]))
}

/**
 * Parses a command-line value ("1e-3", "true", "100,100") for one spec. Returns
 * the raw string when it cannot be read as the spec's type, so the schema names
 * the problem.
 */
export function parseParamText(spec: ParamSpec | undefined, text: string): unknown {
  if (!spec) return text
  switch (spec.type) {
    case 'number':
    case 'int': {
      const v = Number(text)
      return text.trim() === '' || Number.isNaN(v) ? text : v
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text
    case 'select':
      return text
    case 'int-list': {
      if (text.trim() === '') return []
      const parts = text.split(',').map((p) => (p.trim() === '' ? NaN : Number(p.trim())))
      return parts.some((p) => Number.isNaN(p)) ? text : parts
    }
  }
}
