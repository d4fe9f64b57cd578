// The 工作台: the server's to-dos as cards that open their lists, the headline figures for leaders, the unread
// notifications; the units list takes its plan queue from the address.
import { describe, expect, it } from 'vitest'
import HomeView from '@/views/home/index.vue'
import UnitsView from '@/views/rectification/units.vue'
import type { Workbench } from '@/api/workbench'
import {
  freshScreenEachTest,
  jsonResponse,
  mountScreen,
  pageResponse,
  SLOW,
  slowUntil as until,
  stubFetch,
} from './helpers'

const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)

const stats = {
  total: 6,
  completed: 1,
  completion_rate: 16.7,
  due: 1,
  completed_on_time: 0,
  on_time_rate: 0,
  open: 5,
  overdue: 1,
  overdue_rate: 20,
  long_term: 0,
  extended: 0,
  extensions: 0,
  ageing: { d0_30: 1, d31_90: 0, d91_180: 0, d180_plus: 0 },
}

const workbench: Workbench = {
  todos: [
    { kind: 'plan_review', label: '方案待会审', count: 2, link: '/rect/units?plan=to_review' },
    { kind: 'warning_red', label: '红色预警', count: 1, link: '/rect/ledger?warning=red' },
  ],
  notifications: [
    {
      id: 7,
      kind: 'warning',
      title: '整改事项已逾期',
      body: '请尽快整改',
      link: '/rect/items/5',
      created_at: '2026-11-20T08:00:00Z',
      read_at: null,
    },
  ],
  unread: 3,
  headline: { rect: stats, findings: 9 },
}

const named = { home: '/', 'rect-units': '/rect/units', 'rect-ledger': '/rect/ledger', 'rect-item': '/rect/items/:id' }

freshScreenEachTest()

describe('工作台', () => {
  it(
    'shows the to-dos, the headline and the notifications, and a card opens its list',
    async () => {
      stubFetch((req) =>
        req.path === '/api/v1/workbench' ? jsonResponse(workbench) : new Response(null, { status: 204 }),
      )
      const { wrapper, router } = await mountScreen(HomeView, '/', ['rect:read', 'rect:review'], named)
      await until(() => q('todo-plan_review') !== null, 'the to-do cards')
      expect(q('todo-plan_review')!.textContent).toContain('2')
      expect(q('todo-plan_review')!.textContent).toContain('方案待会审')
      expect(q('todo-warning_red')!.classList.contains('todo-red')).toBe(true)
      expect(q('figure-items')!.textContent).toContain('6')
      expect(q('figure-findings')!.textContent).toContain('9')
      expect(q('home-notifications')!.textContent).toContain('整改事项已逾期')
      expect(q('home-notifications')!.textContent).toContain('3')
      q('todo-warning_red')!.click()
      await until(() => router.currentRoute.value.path === '/rect/ledger', 'the ledger')
      expect(router.currentRoute.value.query).toEqual({ warning: 'red' })
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'says there is nothing to do and shows no headline without one',
    async () => {
      stubFetch(() => jsonResponse({ todos: [], notifications: [], unread: 0, headline: null }))
      const { wrapper } = await mountScreen(HomeView, '/', ['user:read'], named)
      await until(() => q('home-todos')?.textContent?.includes('暂无待办事项') ?? false, 'the empty state')
      expect(q('home-headline')).toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'opens the units list on the plan queue of the address',
    async () => {
      const seen = stubFetch(() => pageResponse([]))
      const { wrapper } = await mountScreen(UnitsView, '/rect/units?plan=to_review', ['rect:read'], named)
      await until(() => seen.some((r) => r.path === '/api/v1/rect/units'), 'the units list')
      expect(seen.find((r) => r.path === '/api/v1/rect/units')!.query.get('plan')).toBe('to_review')
      wrapper.unmount()
    },
    SLOW,
  )
})
