// 整改统计 by 下级单位: a subtree's row drills down (the next question names it, a crumb leads back), the ledger link
// carries the subtree, and the groups page.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import RectStatsView from '@/views/rectification/stats.vue'
import { useAuthStore } from '@/stores/auth'
import type { RectStats } from '@/api/rectification'
import {
  jsonResponse,
  stubFetch,
  slowUntil as until,
  freshScreenEachTest,
  screenGlobal,
  me,
  stubRouterAt,
} from './helpers'

freshScreenEachTest()

function figures(total: number): RectStats {
  return {
    total,
    completed: 0,
    completion_rate: 0,
    due: 0,
    completed_on_time: 0,
    on_time_rate: 0,
    open: total,
    overdue: 1,
    overdue_rate: 0,
    long_term: 0,
    extended: 0,
    extensions: 0,
    ageing: { d0_30: 1, d31_90: 0, d91_180: 0, d180_plus: 0 },
  }
}

describe('整改统计 by 下级单位', () => {
  it('drills into a subtree and back', async () => {
    const asked: URLSearchParams[] = []
    stubFetch((req) => {
      if (req.path !== '/api/v1/rect/stats') return jsonResponse([])
      asked.push(req.query)
      const below = req.query.get('org_id') === '7'
      const rows = below
        ? [{ key: '7', label: '江岭市（本级）', org_id: 7, drill: false, stats: figures(2) }]
        : [
            { key: '7', label: '江岭市', org_id: 7, drill: true, stats: figures(2) },
            { key: '1', label: '江岭省（本级）', org_id: 1, drill: false, stats: figures(1) },
          ]
      return jsonResponse({ totals: figures(below ? 2 : 3), rows, row_total: rows.length, outcomes: [] })
    })
    useAuthStore().me = me(['rect:read'], { org_id: 1 })
    const router = await stubRouterAt('/rect/stats', { page: '/rect/stats', 'rect-ledger': '/rect/ledger' })
    const wrapper = mount(RectStatsView, { global: screenGlobal(router), attachTo: document.body })
    const q = (id: string) => document.querySelector(`[data-testid="${id}"]`)
    await until(() => q('stats-drill') !== null, 'the drillable row')
    expect(asked[0]!.get('group')).toBe('child')
    expect(asked[0]!.get('page_size')).toBe('50')
    expect(q('stats-ledger')!.getAttribute('href')).toContain('org_id=7')
    ;(q('stats-drill') as HTMLElement).click()
    await until(() => q('stats-trail') !== null, 'the crumbs')
    expect(asked[asked.length - 1]!.get('org_id')).toBe('7')
    expect(q('stats-trail')!.textContent).toContain('江岭市')
    await until(() => (q('stats-table')?.textContent ?? '').includes('江岭市（本级）'), 'the level below')
    ;(q('stats-trail')!.querySelector('a') as HTMLElement).click()
    await until(() => q('stats-trail') === null, 'back at the top')
    expect(asked[asked.length - 1]!.get('org_id')).toBeNull()
    wrapper.unmount()
  }, 30_000)
})
