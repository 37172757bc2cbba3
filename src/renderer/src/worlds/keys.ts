/** Hotkeys most grid worlds share: arrows and WASD press the action labelled with that direction. */
export const ARROW_KEYS: Readonly<Record<string, string>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  a: 'left',
  d: 'right',
  w: 'up',
  s: 'down',
}
