// The 整改台账 at 1366 px: 问题 fixed left, 操作 fixed right, at most eight columns by default, the column
// toggle kept per table; the item page folds its empty sections into one line.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import LedgerView from '@/views/rectification/ledger.vue'
import ItemView from '@/views/rectification/item.vue'
import {
  freshScreenEachTest,
  jsonResponse,
  ledgerRow,
  mountScreen,
  rectItem,
  SLOW,
  slowUntil as until,
  stubFetch,
} from './helpers'

const row = ledgerRow

/** The ledger's rounds (none) and anything else empty. */
const otherAnswer = () => jsonResponse([])

const mountAt = (component: unknown, path: string) =>
  mountScreen(component, path, ['rect:read'], { 'rect-ledger': '/rect/ledger', 'rect-item': '/rect/items/:id' })

/** The header titles of the ledger table (the main table, not the fixed copies). */
function headers(): string[] {
  const table = document.querySelector('[data-testid="ledger-table"]')!
  return [...table.querySelectorAll('.el-table__header-wrapper th')].map((th) => th.textContent?.trim() ?? '')
}

freshScreenEachTest()
beforeEach(() => localStorage.clear())
afterEach(() => localStorage.clear())

describe('整改台账 columns', () => {
  it(
    'shows at most eight columns by default, 问题 fixed left and 操作 fixed right',
    async () => {
      stubFetch((req) =>
        req.path === '/api/v1/rect/ledger' ? jsonResponse({ items: [row()], total: 1 }) : otherAnswer(),
      )
      const { wrapper } = await mountAt(LedgerView, '/rect/ledger')
      await until(() => document.body.textContent!.includes('选人用人工作不规范'), 'the ledger row')
      const titles = headers()
      expect(titles.length).toBeLessThanOrEqual(8)
      expect(titles[0]).toBe('问题')
      expect(titles.at(-1)).toBe('操作')
      expect(titles).not.toContain('督办函')
      const table = document.querySelector('[data-testid="ledger-table"]')!
      const first = table.querySelector('.el-table__header-wrapper th')!
      expect(first.className).toContain('el-table-fixed-column--left')
      const last = [...table.querySelectorAll('.el-table__header-wrapper th')].at(-1)!
      expect(last.className).toContain('el-table-fixed-column--right')
      // One line per row: the original deadline is a tooltip, not a second line.
      expect(document.body.textContent).not.toContain('原定 2026-03-31')
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'keeps the columns the user picks in the toggle for the next visit',
    async () => {
      stubFetch((req) =>
        req.path === '/api/v1/rect/ledger' ? jsonResponse({ items: [row()], total: 1 }) : otherAnswer(),
      )
      const first = await mountAt(LedgerView, '/rect/ledger')
      await until(() => document.querySelector('[data-testid="ledger-columns"]') !== null, 'the column toggle')
      ;(document.querySelector('[data-testid="ledger-columns"]') as HTMLElement).click()
      await until(() => document.querySelector('[data-testid="ledger-columns-letters"]') !== null, 'the column list')
      const letters = document.querySelector('[data-testid="ledger-columns-letters"] input') as HTMLInputElement
      letters.click()
      await flushPromises()
      await until(() => headers().includes('督办函'), 'the letters column')
      first.wrapper.unmount()
      document.body.innerHTML = ''

      const second = await mountAt(LedgerView, '/rect/ledger')
      await until(() => document.body.textContent!.includes('选人用人工作不规范'), 'the ledger row')
      expect(headers()).toContain('督办函')
      second.wrapper.unmount()
    },
    SLOW,
  )
})

describe('整改事项 page', () => {
  it(
    'folds the sections with no records into one line',
    async () => {
      const detail = rectItem(row())
      stubFetch(() => jsonResponse(detail))
      const { wrapper } = await mountAt(ItemView, '/rect/items/5')
      await until(() => document.querySelector('[data-testid="item-state"]') !== null, 'the item')
      await flushPromises()
      expect(document.querySelector('[data-testid="item-measures"]')).toBeNull()
      expect(document.querySelector('[data-testid="item-letters"]')).toBeNull()
      const line = document.querySelector('[data-testid="item-empty-sections"]')!
      expect(line.textContent).toContain('暂无记录')
      expect(line.textContent).toContain('督办函')
      expect(document.querySelectorAll('.el-empty').length).toBe(0)
      wrapper.unmount()
    },
    SLOW,
  )
})
