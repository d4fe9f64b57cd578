// useTable: filters, loading with busy/error, paging, reset, and the column settings kept per table.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { loadColumnChoice, useColumns, useTable, type TableColumn } from '@/composables/useTable'

interface Row {
  id: number
}

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const COLUMNS: TableColumn[] = [
  { key: 'title', label: 'rect.field.title', locked: true },
  { key: 'org', label: 'rect.field.org' },
  { key: 'letters', label: 'rect.field.letters', visible: false },
  { key: 'actions', label: 'common.actions', locked: true },
]

beforeEach(() => localStorage.clear())
afterEach(() => localStorage.clear())

describe('useTable', () => {
  it('loads a page with the filters, busy while waiting, and keeps the total', async () => {
    const calls: unknown[] = []
    const table = useTable({
      filters: () => ({ q: '', state: '' }),
      fetch: async (f, paging) => {
        calls.push({ ...f, ...paging })
        return { items: [{ id: 1 }, { id: 2 }] as Row[], total: 42 }
      },
    })
    table.filters.q = 'abc'
    const done = table.load()
    expect(table.loading.value).toBe(true)
    await done
    expect(table.loading.value).toBe(false)
    expect(table.rows.value.map((r) => r.id)).toEqual([1, 2])
    expect(table.total.value).toBe(42)
    expect(calls).toEqual([{ q: 'abc', state: '', page: 1, page_size: 20 }])
  })

  it('goes back to page 1 on a search and empties the filters on reset', async () => {
    const calls: { q: string; page: number; page_size: number }[] = []
    const table = useTable({
      filters: () => ({ q: '' }),
      pageSize: 50,
      fetch: async (f, paging) => {
        calls.push({ q: f.q, ...paging })
        return { items: [], total: 500 }
      },
    })
    table.page.value = 3
    await table.load()
    expect(calls.at(-1)).toEqual({ q: '', page: 3, page_size: 50 })
    table.filters.q = 'x'
    await table.search()
    expect(calls.at(-1)).toEqual({ q: 'x', page: 1, page_size: 50 })
    table.page.value = 2
    await table.reset()
    expect(table.filters.q).toBe('')
    expect(calls.at(-1)).toEqual({ q: '', page: 1, page_size: 50 })
  })

  it('keeps the error of a failed load and reports it', async () => {
    const seen: unknown[] = []
    const table = useTable({
      filters: () => ({}),
      fetch: async () => {
        throw new Error('boom')
      },
      onError: (e) => seen.push(e),
    })
    await table.load()
    expect(table.loading.value).toBe(false)
    expect((table.error.value as Error).message).toBe('boom')
    expect(seen).toHaveLength(1)
  })

  it('drops an answer overtaken by a later load', async () => {
    const first = deferred<{ items: Row[]; total: number }>()
    const second = deferred<{ items: Row[]; total: number }>()
    const answers = [first.promise, second.promise]
    const table = useTable({ filters: () => ({}), fetch: () => answers.shift()! })
    const a = table.load()
    const b = table.load()
    second.resolve({ items: [{ id: 2 }], total: 1 })
    await b
    first.resolve({ items: [{ id: 1 }], total: 1 })
    await a
    expect(table.rows.value.map((r) => r.id)).toEqual([2])
    expect(table.loading.value).toBe(false)
  })

  it('does not stay on a page past the end when the total shrinks', async () => {
    const pages: number[] = []
    const table = useTable({
      filters: () => ({}),
      fetch: async (_f, paging) => {
        pages.push(paging.page)
        return { items: [], total: paging.page === 5 ? 3 : 3 }
      },
    })
    table.page.value = 5
    await table.load()
    await nextTick()
    await new Promise((r) => setTimeout(r, 0))
    expect(table.page.value).toBe(1)
    expect(pages).toEqual([5, 1])
  })
})

describe('column settings', () => {
  it('shows the default columns and keeps the choice per table', () => {
    const cols = useColumns('ledger', COLUMNS)
    expect(cols.visible.value).toEqual(['title', 'org', 'actions'])
    expect(cols.toggleable.value.map((c) => c.key)).toEqual(['org', 'letters'])
    cols.toggle('letters', true)
    cols.toggle('org', false)
    expect(cols.isVisible('letters')).toBe(true)
    expect(cols.isVisible('org')).toBe(false)
    expect(loadColumnChoice('ledger')).toEqual(['title', 'letters', 'actions'])
    // Another visit reads the choice back; another table is not affected.
    expect(useColumns('ledger', COLUMNS).visible.value).toEqual(['title', 'letters', 'actions'])
    expect(useColumns('other', COLUMNS).visible.value).toEqual(['title', 'org', 'actions'])
  })

  it('never hides a locked column and forgets unknown keys', () => {
    localStorage.setItem('xuncha.columns.ledger', JSON.stringify(['gone', 'org']))
    const cols = useColumns('ledger', COLUMNS)
    expect(cols.visible.value).toEqual(['title', 'org', 'actions'])
    cols.setVisible([])
    expect(cols.visible.value).toEqual(['title', 'actions'])
  })

  it('goes back to the defaults', () => {
    const cols = useColumns('ledger', COLUMNS)
    cols.setVisible(['letters'])
    cols.resetColumns()
    expect(cols.visible.value).toEqual(['title', 'org', 'actions'])
    expect(loadColumnChoice('ledger')).toBeNull()
  })

  it('ignores a broken stored value', () => {
    localStorage.setItem('xuncha.columns.ledger', '{not json')
    expect(useColumns('ledger', COLUMNS).visible.value).toEqual(['title', 'org', 'actions'])
  })
})
