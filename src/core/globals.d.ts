/**
 * The host globals core and shared use. Core is checked without DOM and Node types
 * (tsconfig.core.json) so that it stays runnable in both; Node and browsers
 * both provide these.
 */
interface Performance {
  now(): number
}
declare var performance: Performance
interface Console {
  error(...data: unknown[]): void
  warn(...data: unknown[]): void
  log(...data: unknown[]): void
}
declare var console: Console
declare function atob(data: string): string
