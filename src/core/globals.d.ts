/**
 * The host globals core uses. Core is checked without DOM and Node types
 * (tsconfig.core.json) so that it stays runnable in both; Node and browsers
 * both provide these.
 */
interface Performance {
  now(): number
}
declare var performance: Performance
