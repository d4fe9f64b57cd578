// One word per state, one empty state, one percentage format, and the rates with their denominators.
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mount } from '@vue/test-utils'
import RectStatsView from '@/views/rectification/stats.vue'
import { useAuthStore } from '@/stores/auth'
import type { RectStats } from '@/api/rectification'
import { formatPercent } from '@/utils/format'
import { planStateLabel } from '@/utils/rectification'
import {
  jsonResponse,
  stubFetch,
  slowUntil as until,
  freshScreenEachTest,
  screenGlobal,
  me,
  stubRouterAt,
} from './helpers'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.vue') ? [path] : []
  })
}

freshScreenEachTest()

describe('words and formats', () => {
  it('calls a plan that is not saved 未编制 and a saved one 草稿', () => {
    expect(planStateLabel(null)).toBe('未编制')
    expect(planStateLabel({ state: null })).toBe('未编制')
    // The server's answer for a unit with nothing saved: id 0, state DRAFT.
    expect(planStateLabel({ id: 0, state: 'DRAFT', state_name: '草稿' })).toBe('未编制')
    expect(planStateLabel({ id: 4, state: 'DRAFT', state_name: '草稿' })).toBe('草稿')
    expect(planStateLabel({ state: 'SUBMITTED', state_name: null })).toBe('会审中')
  })

  it('shows every percentage with one decimal', () => {
    expect(formatPercent(98.7123)).toBe('98.7%')
    expect(formatPercent('76.00%')).toBe('76.0%')
    expect(formatPercent(undefined)).toBe('-')
  })

  it('uses the one empty-state component, not el-empty, on the screens', () => {
    const offenders = files(SRC)
      .filter((f) => !f.endsWith('EmptyState.vue'))
      .filter((f) => readFileSync(f, 'utf8').includes('<el-empty'))
      .map((f) => relative(SRC, f))
    expect(offenders).toEqual([])
  })
})

describe('整改统计', () => {
  it('shows 按期整改率 and 逾期率 with their denominators and how they are counted', async () => {
    const totals: RectStats = {
      total: 10,
      completed: 4,
      completion_rate: 40,
      due: 3,
      completed_on_time: 1,
      on_time_rate: 33.3333,
      open: 6,
      overdue: 2,
      overdue_rate: 33.3333,
      long_term: 1,
      extended: 1,
      extensions: 2,
      ageing: { d0_30: 1, d31_90: 1, d91_180: 0, d180_plus: 0 },
    }
    stubFetch((req) =>
      req.path === '/api/v1/rect/stats'
        ? jsonResponse({ totals, rows: [{ key: '1', label: '江岭省财政厅', stats: totals }], outcomes: [] })
        : jsonResponse([]),
    )
    useAuthStore().me = me(['rect:read'], { org_id: 1 })
    const router = await stubRouterAt('/rect/stats', { page: '/rect/stats' })
    const wrapper = mount(RectStatsView, {
      global: screenGlobal(router),
      attachTo: document.body,
    })
    const q = (id: string) => document.querySelector(`[data-testid="${id}"]`)
    await until(() => q('rect-stat-on-time-rate') !== null, 'the cards')
    const onTime = q('rect-stat-on-time-rate')!
    expect(onTime.textContent).toContain('33.3%')
    expect(onTime.textContent).toContain('1 / 3')
    expect(q('rect-stat-on-time-rate-formula')!.getAttribute('aria-label')).toBe(
      '按期整改率 = 按期完成数 / 应完成数（整改期限已到的问题）',
    )
    const overdue = q('rect-stat-overdue')!
    expect(overdue.textContent).toContain('33.3%')
    expect(overdue.textContent).toContain('2 / 6')
    expect(q('rect-stat-overdue-formula')!.getAttribute('aria-label')).toContain('逾期率 = 逾期数 / 未完成数')
    // The table shows the rates with their denominators too.
    await until(() => (q('stats-table')?.textContent ?? '').includes('江岭省财政厅'), 'the table')
    expect(q('stats-table')!.textContent).toContain('33.3%1 / 3')
    wrapper.unmount()
  }, 30_000)
})
