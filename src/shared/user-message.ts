/**
 * What a user is shown for an error. Our own errors carry messages written for people (they name
 * the setting, file or line); errors raised by the JavaScript engine itself (a TypeError's
 * "Cannot read properties of undefined", V8's "Invalid array length") are bugs or resource limits
 * and mean nothing to a user, so they become one plain line and the detail goes to the log.
 */

/** Engine errors: their text is about our code, not the user's input. */
const ENGINE_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'InternalError'])
/** V8's own RangeError texts (ours say what was out of range). */
const ENGINE_RANGE = /^(Invalid (array|typed array|string|DataView) length|Array buffer allocation failed|Maximum call stack size exceeded|Invalid time value|Invalid code point|toFixed\(\)|Invalid count value|Offset is outside the bounds|Start offset|Invalid atomic access|WebAssembly\.|BigInt too big)/
/** Longest message passed through: one line a person reads. */
const MAX_MESSAGE = 500

/** Whether an error's text was written by the engine rather than by us. */
export function isEngineError(e: unknown): boolean {
  if (!(e instanceof Error)) return false
  if (ENGINE_ERRORS.has(e.name) || ENGINE_ERRORS.has(e.constructor?.name)) return true
  return e.name === 'RangeError' && ENGINE_RANGE.test(e.message)
}

/**
 * One short line for the user. `doing` says what failed ("runs.start"); `log` receives the
 * engine error's stack when there is one (the host's stderr).
 */
export function userMessage(e: unknown, doing?: string, log: (text: string) => void = (t) => console.error(t)): string {
  if (isEngineError(e)) {
    const err = e as Error
    log(`quarkade: internal error${doing ? ` in ${doing}` : ''}: ${err.stack ?? err.message}`)
    if (err.name === 'RangeError' && /allocation|length|size/i.test(err.message)) {
      return `${doing ? `${doing}: ` : ''}not enough memory for this request (the input is too large)`
    }
    return `${doing ? `${doing}: ` : ''}an internal error stopped this (${err.name}); the details are in the log`
  }
  const text = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim()
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text
}
