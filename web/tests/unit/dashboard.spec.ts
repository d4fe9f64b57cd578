// The 领导驾驶舱: the server's figures as cards and charts (the chart component stubbed: happy-dom has no
// canvas); a child row drills down (the organisation in the address), a crumb goes back up, a figure opens the
// list it counts; the bar options keep the link of each bar.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import DashboardView from '@/views/dashboard/index.vue'
import type { Dashboard } from '@/api/dashboard'
import { useAuthStore } from '@/stores/auth'
import { barAt, barOption, gaugeOption } from '@/utils/dashboard'
import {
  freshScreenEachTest,
  jsonResponse,
  me,
  screenGlobal,
  SLOW,
  slowUntil as until,
  stubFetch,
  stubRouterAt,
} from './helpers'

const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)

const stats = {
  total: 6,
  completed: 2,
  completion_rate: 33.33,
  due: 2,
  completed_on_time: 1,
  on_time_rate: 50,
  open: 4,
  overdue: 1,
  overdue_rate: 25,
  long_term: 0,
  extended: 0,
  extensions: 0,
  ageing: { d0_30: 1, d31_90: 0, d91_180: 0, d180_plus: 0 },
}

function board(orgId: number, name: string, crumbs: { org_id: number; name: string }[]): Dashboard {
  return {
    org: { org_id: orgId, name },
    crumbs,
    today: '2026-11-23',
    from: null,
    to: null,
    rect: {
      stats,
      links: {
        ledger: `/rect/ledger?org_id=${orgId}`,
        completed: `/rect/ledger?org_id=${orgId}&state=CLOSED`,
        overdue: `/rect/ledger?org_id=${orgId}&warning=red`,
        long_term: `/rect/ledger?org_id=${orgId}&state=LONG_TERM`,
      },
    },
    coverage: {
      term_id: 3,
      term_name: 'term',
      covered: 2,
      total: 4,
      rate: 50,
      link: '/coverage',
    },
    children: [
      {
        org_id: 11,
        name: 'city',
        drill: true,
        total: 6,
        completed: 2,
        completion_rate: 33.33,
        on_time_rate: 50,
        overdue: 1,
        coverage: { covered: 2, total: 4, rate: 50 },
        link: '/rect/ledger?org_id=11',
        overdue_link: '/rect/ledger?org_id=11&warning=red',
      },
    ],
    categories: [
      {
        category_id: 4,
        label: 'cat',
        total: 6,
        completed: 2,
        overdue: 1,
        link: `/rect/ledger?org_id=${orgId}&category_id=4`,
      },
    ],
    outcomes: [{ kind: 'rule', kind_name: 'rules', records: 1, count: 3, amount_fen: 0 }],
    clues: null,
    fieldwork: [{ method: 'talk', method_name: 'talk', entries: 5, persons: 9, count: 0 }],
    peers: [],
  }
}

const named = { dashboard: '/dashboard', 'rect-ledger': '/rect/ledger', coverage: '/coverage' }

freshScreenEachTest()

async function mountAt(path: string) {
  useAuthStore().me = me(['rect:read', 'inspection:read'])
  const router = await stubRouterAt(path, named)
  const wrapper = mount(DashboardView as never, {
    global: { ...screenGlobal(router), stubs: { echarts: true } },
    attachTo: document.body,
  })
  return { wrapper, router }
}

describe('领导驾驶舱', () => {
  it(
    'shows the figures, drills into a child, goes back up and opens the ledger',
    async () => {
      const seen = stubFetch((req) => {
        const org = Number(req.query.get('org_id') ?? 1)
        return org === 11
          ? jsonResponse(
              board(11, 'city', [
                { org_id: 1, name: 'province' },
                { org_id: 11, name: 'city' },
              ]),
            )
          : jsonResponse(board(1, 'province', [{ org_id: 1, name: 'province' }]))
      })
      const { wrapper, router } = await mountAt('/dashboard')
      await until(() => q('dash-figure-items') !== null, 'the figures')
      expect(q('dash-figure-items')!.textContent).toContain('6')
      expect(q('dash-figure-overdue')!.classList.contains('dash-danger')).toBe(true)
      expect(q('dash-coverage')!.textContent).toContain('2')
      expect(q('dash-clues')).toBeNull()
      expect(q('dash-peers')).toBeNull()

      q('dash-child-11')!.click()
      await until(() => router.currentRoute.value.query.org_id === '11', 'the drill-down')
      await until(() => q('dash-crumb-1') !== null, 'the crumb back up')
      expect(seen.some((r) => r.path === '/api/v1/dashboard' && r.query.get('org_id') === '11')).toBe(true)

      q('dash-crumb-1')!.click()
      await until(() => router.currentRoute.value.query.org_id === '1', 'back up')

      q('dash-figure-overdue')!.click()
      await until(() => router.currentRoute.value.path === '/rect/ledger', 'the ledger')
      expect(router.currentRoute.value.query).toEqual({ org_id: '1', warning: 'red' })
      wrapper.unmount()
    },
    SLOW,
  )

  it('draws bars largest on top and knows the bar a click names', () => {
    const bars = [
      { label: 'a', value: 5, link: '/rect/ledger?category_id=1' },
      { label: 'b', value: 2, drill: 7 },
    ]
    const option = barOption(bars)
    expect(option.yAxis.data).toEqual(['b', 'a'])
    expect(option.series[0]!.data).toEqual([2, 5])
    expect(barAt(bars, 1)!.link).toBe('/rect/ledger?category_id=1')
    expect(barAt(bars, 0)!.drill).toBe(7)
    expect(barAt(bars, 5)).toBeUndefined()
    expect(gaugeOption(50, 'x').series[0]!.data).toEqual([{ value: 50, name: 'x' }])
  })
})
