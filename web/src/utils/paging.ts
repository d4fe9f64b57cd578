// Paging of lists the server returns whole (activities, not-inspected organisations, holidays): slices for a table.
import { computed, ref, watch, type Ref } from 'vue'

export function useLocalPage<T>(rows: Ref<T[]>, initialSize = 20) {
  const page = ref(1)
  const pageSize = ref(initialSize)
  const total = computed(() => rows.value.length)
  const paged = computed(() => rows.value.slice((page.value - 1) * pageSize.value, page.value * pageSize.value))
  // A shorter list (after a filter or reload) must not leave the table on an empty page.
  watch([total, pageSize], () => {
    const last = Math.max(1, Math.ceil(total.value / pageSize.value))
    if (page.value > last) page.value = last
  })
  return { page, pageSize, total, paged }
}
