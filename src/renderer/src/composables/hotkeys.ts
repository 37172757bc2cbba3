/**
 * Keyboard shortcuts. Components register a map while mounted; the newest
 * registration wins. Plain keys are ignored while typing in a text field;
 * combos with Ctrl/⌘ ("Mod+Enter") work everywhere. A key may be a two-key
 * sequence ("g 2": g, then 2), as web apps use where the browser owns the
 * Ctrl/Alt+digit combos (they switch tabs).
 */
import { onBeforeUnmount, onMounted } from 'vue'
import { api } from '../api'

export type HotkeyMap = Record<string, (e: KeyboardEvent) => void>

const stack: HotkeyMap[] = []
let installed = false

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const modLabel = isMac ? '⌘' : 'Ctrl'

/** In a browser Ctrl/⌘+digit (and Alt+digit on Linux) switch tabs, so web mode goes to views with "g then N". */
const webHost = api.transport === 'web'
/** The hotkey that opens the n-th view (1-based), for registering. */
export const viewHotkey = (n: number): string => (webHost ? `g ${n}` : `Mod+${n}`)
/** How the n-th view's shortcut reads ("g then 2" / "Ctrl+2"); `last` gives a range ("g then 1 … 6"). */
export function viewHotkeyLabel(n: number, last?: number): string {
  const digits = last === undefined ? String(n) : `${n} … ${last}`
  return webHost ? `g then ${digits}` : `${modLabel}+${digits}`
}

function keyName(e: KeyboardEvent): string {
  const key = e.key === ' ' ? 'Space' : e.key.length === 1 ? e.key.toLowerCase() : e.key
  const mod = e.ctrlKey || e.metaKey
  return (mod ? 'Mod+' : '') + (e.shiftKey && key.length > 1 ? 'Shift+' : '') + key
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  if (el.isContentEditable) return true
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true
  if (el.tagName === 'INPUT') {
    const type = (el as HTMLInputElement).type
    return !['range', 'checkbox', 'radio', 'button', 'submit'].includes(type)
  }
  return false
}

/** The first key of a sequence, while waiting for the second. */
let pending: { key: string; at: number } | null = null
const SEQUENCE_MS = 1500

function find(name: string): ((e: KeyboardEvent) => void) | undefined {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i][name]) return stack[i][name]
  return undefined
}

function startsSequence(name: string): boolean {
  return stack.some((map) => Object.keys(map).some((k) => k.startsWith(`${name} `)))
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.altKey) return
  if (['Shift', 'Control', 'Meta', 'Alt'].includes(e.key)) return
  const name = keyName(e)
  if (!name.startsWith('Mod+') && isTyping(e.target)) {
    pending = null
    return
  }
  const prefix = pending && e.timeStamp - pending.at < SEQUENCE_MS ? pending.key : null
  pending = null
  const handler = (prefix && find(`${prefix} ${name}`)) || find(name)
  if (handler) {
    e.preventDefault()
    handler(e)
  }
  // A key that is a shortcut of its own (the track editor's g = Goal) may still begin a sequence.
  if (!prefix && startsSequence(name)) pending = { key: name, at: e.timeStamp }
}

export function useHotkeys(map: HotkeyMap): void {
  onMounted(() => {
    if (!installed) {
      window.addEventListener('keydown', onKeyDown)
      installed = true
    }
    stack.push(map)
  })
  onBeforeUnmount(() => {
    const i = stack.lastIndexOf(map)
    if (i >= 0) stack.splice(i, 1)
  })
}
