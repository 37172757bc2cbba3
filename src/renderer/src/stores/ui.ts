/**
 * The shell's own preferences, kept in localStorage: the colour theme (follow
 * the system, or light / dark chosen by hand) and whether the sidebar is
 * collapsed to its icons. The resolved theme is set as <html data-theme>, which
 * styles.css keys its colour variables on.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

export type ThemeChoice = 'system' | 'light' | 'dark'
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark']

const THEME_KEY = 'quarkade.ui.theme'
const NAV_KEY = 'quarkade.ui.navCollapsed'

function read(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}
function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch {
    /* storage disabled: the choice lasts this session */
  }
}

export const useUiStore = defineStore('ui', () => {
  const stored = read(THEME_KEY)
  const theme = ref<ThemeChoice>(THEME_CHOICES.includes(stored as ThemeChoice) ? (stored as ThemeChoice) : 'system')
  const navCollapsed = ref(read(NAV_KEY) === '1')

  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : null
  const systemLight = ref(media?.matches ?? false)
  media?.addEventListener('change', (e) => (systemLight.value = e.matches))

  const resolvedTheme = computed<'light' | 'dark'>(() => (theme.value === 'system' ? (systemLight.value ? 'light' : 'dark') : theme.value))
  watch(resolvedTheme, (t) => (document.documentElement.dataset.theme = t), { immediate: true })
  watch(theme, (t) => write(THEME_KEY, t))
  watch(navCollapsed, (c) => write(NAV_KEY, c ? '1' : '0'))

  return {
    theme,
    resolvedTheme,
    navCollapsed,
    toggleNav: () => (navCollapsed.value = !navCollapsed.value),
  }
})
