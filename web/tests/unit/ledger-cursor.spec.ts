// The 整改台账 keeps the page numbers users know while stepping by key: the next or previous page is read
// with the cursor of the page beside it (the same cost at any depth), a jump to a page number asks by number,
// and a new search counts again from page 1.
import { describe, expect, it } from 'vitest'
import LedgerView from '@/views/rectification/ledger.vue'
import { CursorPages } from '@/utils/paging'
import {
  freshScreenEachTest,
  jsonResponse,
  ledgerRow,
  mountScreen,
  SLOW,
  slowUntil as until,
  stubFetch,
  type Captured,
} from './helpers'

describe('CursorPages', () => {
  it('asks by number until a page beside it was shown, then by its cursor', () => {
    const pages = new CursorPages()
    expect(pages.ask('a', 1)).toEqual({ page: 1 })
    pages.record('a', 1, { page: 1, next: 'n1', prev: null })
    expect(pages.ask('a', 2)).toEqual({ after: 'n1' })
    pages.record('a', 2, { page: 2, next: 'n2', prev: 'p2' })
    expect(pages.ask('a', 3)).toEqual({ after: 'n2' })
    expect(pages.ask('a', 1)).toEqual({ before: 'p2' })
    // A jump: by number; its neighbours then by key.
    expect(pages.ask('a', 7)).toEqual({ page: 7 })
    pages.record('a', 7, { page: 7, next: 'n7', prev: 'p7' })
    expect(pages.ask('a', 6)).toEqual({ before: 'p7' })
    expect(pages.ask('a', 8)).toEqual({ after: 'n7' })
    // The last page has no next; page 1 no previous.
    pages.record('a', 8, { page: 8, next: null, prev: 'p8' })
    expect(pages.ask('a', 9)).toEqual({ page: 9 })
    // The server's page number wins (read back to the start: page 1).
    pages.record('a', 4, { page: 1, next: 'n1b', prev: null })
    expect(pages.ask('a', 2)).toEqual({ after: 'n1b' })
    // Another listing (filters, page size) forgets them; so does a reset.
    expect(pages.ask('b', 2)).toEqual({ page: 2 })
    pages.record('b', 1, { page: 1, next: 'm1' })
    pages.reset()
    expect(pages.ask('b', 2)).toEqual({ page: 2 })
    // An answer for a listing no longer shown is not kept.
    pages.record('a', 1, { page: 1, next: 'late' })
    expect(pages.ask('b', 2)).toEqual({ page: 2 })
  })
})

freshScreenEachTest()

const text = () => document.body.textContent ?? ''
const ledgerCalls = (seen: Captured[]) => seen.filter((r) => r.method === 'GET' && r.path === '/api/v1/rect/ledger')
const lastQuery = (seen: Captured[]) => Object.fromEntries(ledgerCalls(seen).at(-1)?.query ?? [])

/** A 200-row ledger, 20 a page: page N holds 问题N; cursors name their page. */
function answer(req: Captured): Response {
  if (req.path !== '/api/v1/rect/ledger') return jsonResponse([])
  const after = req.query.get('after')
  const before = req.query.get('before')
  const page = after ? Number(after.slice(1)) + 1 : before ? Number(before.slice(1)) - 1 : Number(req.query.get('page'))
  return jsonResponse({
    items: [ledgerRow({ id: page, title: `问题${page}` })],
    total: 200,
    page,
    page_size: 20,
    next: page < 10 ? `n${page}` : null,
    prev: page > 1 ? `p${page}` : null,
  })
}

async function click(selector: string): Promise<void> {
  ;(document.querySelector(selector) as HTMLElement).click()
}

async function pageNumber(n: number): Promise<void> {
  const item = [...document.querySelectorAll<HTMLElement>('.el-pagination .el-pager li')].find(
    (li) => li.textContent?.trim() === String(n),
  )
  item!.click()
}

describe('整改台账 paging', () => {
  it(
    'steps by cursor, jumps by page number and searches again from page 1',
    async () => {
      const seen = stubFetch(answer)
      const { wrapper, router } = await mountScreen(LedgerView, '/rect/ledger', ['rect:read'], {
        'rect-ledger': '/rect/ledger',
        'rect-item': '/rect/items/:id',
      })
      await until(() => text().includes('问题1'), 'page 1')
      expect(lastQuery(seen)).toEqual({ page: '1', page_size: '20' })

      await click('.el-pagination .btn-next')
      await until(() => text().includes('问题2'), 'page 2')
      expect(lastQuery(seen)).toEqual({ after: 'n1', page_size: '20' })
      // The address keeps the page number.
      await until(() => router.currentRoute.value.query.page === '2', 'page 2 in the address')

      await click('.el-pagination .btn-next')
      await until(() => text().includes('问题3'), 'page 3')
      expect(lastQuery(seen)).toEqual({ after: 'n2', page_size: '20' })

      await click('.el-pagination .btn-prev')
      await until(() => text().includes('问题2'), 'back to page 2')
      expect(lastQuery(seen).after ?? lastQuery(seen).before).toMatch(/^(n1|p3)$/)
      expect(lastQuery(seen).page).toBeUndefined()

      // A jump: by number.
      await pageNumber(10)
      await until(() => text().includes('问题10'), 'page 10')
      expect(lastQuery(seen)).toEqual({ page: '10', page_size: '20' })
      await click('.el-pagination .btn-prev')
      await until(() => text().includes('问题9'), 'page 9')
      expect(lastQuery(seen)).toEqual({ before: 'p10', page_size: '20' })

      // A new search: page 1 by number (counted again), not by a remembered cursor.
      const form = document.querySelector('form.filters') as HTMLFormElement
      ;(form.querySelector('button[type="submit"]') as HTMLButtonElement).click()
      await until(() => text().includes('问题1'), 'page 1 again')
      expect(lastQuery(seen)).toEqual({ page: '1', page_size: '20' })
      wrapper.unmount()
    },
    SLOW,
  )
})
