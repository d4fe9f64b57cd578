// One list page's state: the filters (a reactive object), loading with busy/error, server paging, resetting
// the filters, and the column settings (which columns show) kept per table in localStorage.
import { computed, reactive, ref, shallowRef, watch, type Ref, type UnwrapNestedRefs } from 'vue'

/** A column the user may show or hide (the RuoYi-style column toggle). */
export interface TableColumn {
  /** Stable key: stored in localStorage, so renaming it resets the user's choice. */
  key: string
  /** i18n key of the column title. */
  label: string
  /** Shown until the user chooses otherwise (default true). */
  visible?: boolean
  /** Always shown, not offered in the toggle (the identifying column, 操作). */
  locked?: boolean
}

export interface PageResult<R> {
  items: R[]
  total: number
}

export interface TableQuery {
  page: number
  page_size: number
}

export interface UseTableOptions<F extends object, R> {
  /** The empty filters: the initial state and what 重置 goes back to. */
  filters: () => F
  /** Loads one page; the filters and the page as they are now. */
  fetch: (filters: F, paging: TableQuery) => Promise<PageResult<R>>
  pageSize?: number
  /** The table's id for the column settings (localStorage key `xuncha.columns.<id>`). */
  id?: string
  columns?: readonly TableColumn[]
  /** Called with a failed load's error (e.g. showError); the error is also kept in `error`. */
  onError?: (error: unknown) => void
}

export const PAGE_SIZES: number[] = [20, 50, 100]
const STORAGE_PREFIX = 'xuncha.columns.'

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

/** The visible column keys saved for a table, or null when none (or unreadable). */
export function loadColumnChoice(id: string): string[] | null {
  try {
    const raw = storage()?.getItem(STORAGE_PREFIX + id)
    if (!raw) return null
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) && parsed.every((k) => typeof k === 'string') ? parsed : null
  } catch {
    return null
  }
}

function saveColumnChoice(id: string, keys: readonly string[] | null): void {
  const store = storage()
  if (!store) return
  try {
    if (keys === null) store.removeItem(STORAGE_PREFIX + id)
    else store.setItem(STORAGE_PREFIX + id, JSON.stringify(keys))
  } catch {
    /* storage full or blocked: the choice lasts for this visit only */
  }
}

/** The column settings of one table: which columns show, the user's choice kept in localStorage. */
export function useColumns(id: string | undefined, columns: readonly TableColumn[]) {
  const defaults = () => columns.filter((c) => c.locked || c.visible !== false).map((c) => c.key)
  const known = new Set(columns.map((c) => c.key))
  const saved = id ? loadColumnChoice(id) : null
  // Keys no longer known are dropped; locked columns always show.
  const initial = saved ? columns.filter((c) => c.locked || saved.includes(c.key)).map((c) => c.key) : defaults()
  const visible = ref<string[]>(initial.filter((k) => known.has(k)))
  /** The columns offered in the toggle (not the locked ones). */
  const toggleable = computed(() => columns.filter((c) => !c.locked))

  function isVisible(key: string): boolean {
    return visible.value.includes(key)
  }

  function setVisible(keys: readonly string[]): void {
    const chosen = new Set(keys)
    visible.value = columns.filter((c) => c.locked || chosen.has(c.key)).map((c) => c.key)
    if (id) saveColumnChoice(id, visible.value)
  }

  function toggle(key: string, on: boolean): void {
    const keys = new Set(visible.value)
    if (on) keys.add(key)
    else keys.delete(key)
    setVisible([...keys])
  }

  /** Back to the defaults (and forget the stored choice). */
  function resetColumns(): void {
    visible.value = defaults()
    if (id) saveColumnChoice(id, null)
  }

  return { columns, toggleable, visible, isVisible, setVisible, toggle, resetColumns }
}

export type ColumnSettings = ReturnType<typeof useColumns>

export function useTable<F extends object, R>(options: UseTableOptions<F, R>) {
  const filters = reactive(options.filters()) as UnwrapNestedRefs<F>
  const page = ref(1)
  const pageSize = ref<number>(options.pageSize ?? 20)
  const total = ref(0)
  const rows = shallowRef<R[]>([]) as Ref<R[]>
  const loading = ref(false)
  const error = shallowRef<unknown>(null)
  let generation = 0

  /** Loads the current page; an answer overtaken by a later load is dropped. */
  async function load(): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const result = await options.fetch(filters as F, { page: page.value, page_size: pageSize.value })
      if (mine !== generation) return
      rows.value = result.items
      total.value = result.total
    } catch (e) {
      if (mine !== generation) return
      error.value = e
      options.onError?.(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** A new search: back to the first page. */
  function search(): Promise<void> {
    page.value = 1
    return load()
  }

  /** Empties the filters and searches again. */
  function reset(): Promise<void> {
    const fresh = options.filters() as Record<string, unknown>
    const current = filters as Record<string, unknown>
    for (const key of Object.keys(current)) if (!(key in fresh)) delete current[key]
    Object.assign(current, fresh)
    return search()
  }

  // A shorter list must not leave the table on a page past its end.
  watch(total, () => {
    const last = Math.max(1, Math.ceil(total.value / pageSize.value))
    if (page.value > last) {
      page.value = last
      void load()
    }
  })

  const columns = useColumns(options.id, options.columns ?? [])

  /** TablePager's props and listeners (`<TablePager v-bind="pager" />`): a new page loads, a new size searches. */
  const pager = computed(() => ({
    page: page.value,
    pageSize: pageSize.value,
    total: total.value,
    'onUpdate:page': (value: number) => {
      page.value = value
    },
    'onUpdate:pageSize': (value: number) => {
      pageSize.value = value
    },
    onCurrentChange: load,
    onSizeChange: search,
  }))

  return {
    filters,
    rows,
    total,
    page,
    pageSize,
    loading,
    error,
    load,
    search,
    reset,
    /** For el-pagination: @current-change. */
    onPageChange: load,
    /** For el-pagination: @size-change (back to page 1). */
    onSizeChange: search,
    pager,
    columns,
  }
}
