import { onBeforeUnmount, ref, type Ref } from 'vue'

/** The width below which the signed-in layout is a phone's: the menu becomes a drawer, cards stack. */
export const NARROW_QUERY = '(max-width: 767px)'

/**
 * Whether the window is narrower than 768 px, kept up to date as it resizes (false where the browser offers no
 * `matchMedia`, as in the unit tests' DOM).
 */
export function useNarrow(query: string = NARROW_QUERY): Ref<boolean> {
  const narrow = ref(false)
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return narrow
  const list = window.matchMedia(query)
  narrow.value = list.matches
  const update = (e: MediaQueryListEvent): void => {
    narrow.value = e.matches
  }
  list.addEventListener('change', update)
  onBeforeUnmount(() => list.removeEventListener('change', update))
  return narrow
}
