/**
 * Keyboard shortcuts. Components register a map while mounted; the newest
 * registration wins. Plain keys are ignored while typing in a text field;
 * combos with Ctrl/⌘ ("Mod+Enter") work everywhere.
 */
import { onBeforeUnmount, onMounted } from 'vue'

export type HotkeyMap = Record<string, (e: KeyboardEvent) => void>

const stack: HotkeyMap[] = []
let installed = false

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const modLabel = isMac ? '⌘' : 'Ctrl'

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

function onKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.altKey) return
  const name = keyName(e)
  if (!name.startsWith('Mod+') && isTyping(e.target)) return
  for (let i = stack.length - 1; i >= 0; i--) {
    const handler = stack[i][name]
    if (handler) {
      e.preventDefault()
      handler(e)
      return
    }
  }
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
