import { ref, type Ref } from 'vue'
import { showError } from '@/utils/errors'

/**
 * A screen's load: `loading` while `task` runs, its error shown (showError), never thrown. `load` can be called again
 * (search, filters).
 */
export function useLoad(task: () => Promise<void>): { loading: Ref<boolean>; load: () => Promise<void> } {
  const loading = ref(false)
  async function load(): Promise<void> {
    loading.value = true
    try {
      await task()
    } catch (error) {
      showError(error)
    } finally {
      loading.value = false
    }
  }
  return { loading, load }
}

/** Fills `target` with what `fetch` answers, in the background (a screen's choices); an error is shown. */
export function fillFrom<T>(target: Ref<T>, fetch: () => Promise<T>): void {
  fetch()
    .then((value) => {
      target.value = value
    })
    .catch(showError)
}
