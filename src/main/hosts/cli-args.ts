/**
 * node:util parseArgs, except that a negative number after a flag is that flag's value:
 * `--seed -3` would otherwise fail with parseArgs's "argument is ambiguous" instead of
 * reaching the real check ("seed must be at least 0").
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/

/** Joins `--flag -3` into `--flag=-3` for the config's string options. */
export function joinNegativeValues(args: readonly string[], options: ParseArgsConfig['options']): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : null
    const next = args[i + 1]
    if (name && options?.[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  return parseArgs({ ...config, args: joinNegativeValues(config.args ?? [], config.options) } as T)
}
