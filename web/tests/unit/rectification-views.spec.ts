// The rectification screens: an item offers only the actions the server lists; the plan editor checks
// the plan before sending it and saves then submits it; the bell shows the unread count.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ItemView from '@/views/rectification/item.vue'
import PlanView from '@/views/rectification/plan.vue'
import NotificationBell from '@/layout/NotificationBell.vue'
import { useAuthStore } from '@/stores/auth'
import type { Me } from '@/api/auth'
import type { ItemAction, LedgerRow, Plan, PlanView as PlanViewDto, RectItem } from '@/api/rectification'
import {
  type Captured,
  freshScreenEachTest,
  jsonResponse,
  ledgerRow,
  rectItem,
  screenGlobal,
  stubFetch,
  stubRouterAt,
  until,
} from './helpers'

function me(permissions: string[]): Me {
  return {
    id: 1,
    username: 'u',
    display_name: '用户',
    org_id: 2,
    org_name: '江岭省财政厅',
    roles: [],
    permissions,
    compartments: [],
    totp_enabled: false,
    must_change_password: false,
  }
}

const q = (testid: string) => document.querySelector(`[data-testid="${testid}"]`)

const routerAt = (path: string) =>
  stubRouterAt(path, {
    'rect-ledger': '/rect/ledger',
    'rect-units': '/rect/units',
    'rect-item': '/rect/items/:id',
    'rect-plan': '/rect/units/:id/plan',
  })

const row = (over: Partial<LedgerRow> = {}): LedgerRow => ledgerRow({ category_name: null, ...over })

function item(actions: ItemAction[], over: Partial<RectItem> = {}): RectItem {
  return rectItem(row(), { actions, ...over })
}

freshScreenEachTest()

describe('rectification item', () => {
  async function open(detail: RectItem, perms: string[]) {
    useAuthStore().me = me(perms)
    const seen = stubFetch((req) =>
      req.path === '/api/v1/rect/findings/5' ? jsonResponse(detail) : jsonResponse(detail),
    )
    const router = await routerAt('/rect/items/5')
    const wrapper = mount(ItemView, {
      global: screenGlobal(router),
      attachTo: document.body,
    })
    await until(() => q('item-state') !== null, 'the item')
    await flushPromises()
    return { wrapper, seen }
  }

  const ACTION_BUTTONS = [
    'item-progress',
    'item-write-off',
    'item-extend',
    'item-explain',
    'item-outcome',
    'item-letter',
    'item-reopen',
  ]
  const shown = () => ACTION_BUTTONS.filter((id) => q(id) !== null)

  it('offers only the actions the server lists', async () => {
    const { wrapper } = await open(item(['progress', 'write_off', 'extend']), ['rect:read', 'rect:write'])
    expect(shown()).toEqual(['item-progress', 'item-write-off', 'item-extend', 'item-explain'])
    expect(q('item-warning')?.textContent).toContain('黄色预警')
    // The original deadline is kept beside the extended one.
    expect(document.body.textContent).toContain('2026-06-30')
    expect(document.body.textContent).toContain('2026-03-31')
    wrapper.unmount()
  })

  it('offers nothing when the list is empty, whatever the permissions', async () => {
    const { wrapper } = await open(item([]), ['rect:read', 'rect:write', 'rect:review', 'rect:supervise'])
    expect(shown()).toEqual([])
    expect(q('writeoff-verify')).toBeNull()
    wrapper.unmount()
  })

  it("lets a reviewer verify or return a requested write-off, with the request's own version", async () => {
    const requested = item(['verify', 'reopen'], {
      row: row({ state: 'CLOSE_REQUESTED', state_name: '已申请销号' }),
      write_offs: [
        {
          id: 9,
          state: 'REQUESTED',
          state_name: '待核验',
          outcome: 'completed',
          outcome_name: '已完成',
          explanation: '已整改',
          requested_at: '2026-01-01T00:00:00Z',
          requested_by_name: '刘联络',
          decided_at: null,
          decided_by_name: null,
          reason: null,
          files: [],
          version: 2,
        },
      ],
    })
    const { wrapper, seen } = await open(requested, ['rect:read', 'rect:review'])
    expect(shown()).toEqual(['item-reopen'])
    ;(q('writeoff-return') as HTMLElement).click()
    await until(() => q('writeoff-return-submit') !== null, 'the reason dialog')
    ;(q('writeoff-return-submit') as HTMLElement).click()
    await flushPromises()
    // The reason is required: nothing is sent without it.
    expect(seen.filter((r) => r.method === 'POST')).toEqual([])
    const text = q('writeoff-return-text') as HTMLTextAreaElement
    text.value = '佐证不足'
    text.dispatchEvent(new Event('input'))
    ;(q('writeoff-return-submit') as HTMLElement).click()
    await until(() => seen.some((r) => r.method === 'POST'), 'the decision')
    const post = seen.find((r) => r.method === 'POST')!
    expect(post.path).toBe('/api/v1/rect/write-offs/9/decide')
    expect(post.body).toEqual({ decision: 'return', reason: '佐证不足', version: 2 })
    wrapper.unmount()
  })
})

describe('plan editor', () => {
  function planDto(over: Partial<Plan> = {}): Plan {
    return {
      id: 0,
      round_unit_id: 3,
      revision: 1,
      state: 'DRAFT',
      state_name: '草稿',
      principal_leader: '',
      signed_on: null,
      summary: '',
      submitted_at: null,
      decided_at: null,
      version: 0,
      items: [
        { finding_id: 11, title: '“三重一大”决策制度执行不严格', category_name: null, measures: [], comments: [] },
        { finding_id: 12, title: '选人用人工作不规范', category_name: null, measures: [], comments: [] },
      ],
      reviews: [],
      bodies: ['巡察组', '巡察办'],
      body_status: [],
      ...over,
    }
  }

  function view(plan: Plan, over: Partial<PlanViewDto> = {}): PlanViewDto {
    return {
      unit: {
        id: 3,
        round_id: 1,
        round_name: '2025年第二轮巡察',
        org_id: 2,
        org_name: '江岭省财政厅',
        owner_org_name: '省委巡察办',
        feedback_date: '2026-01-05',
        rectification_due: null,
        plan_state: null,
        plan_state_name: null,
        total: 2,
        closed: 0,
      },
      plan,
      revisions: [],
      can_edit: true,
      can_review: false,
      review_bodies: [],
      ...over,
    }
  }

  async function open(handler: (req: Captured) => Response) {
    useAuthStore().me = me(['rect:read', 'rect:write'])
    const seen = stubFetch(handler)
    const router = await routerAt('/rect/units/3/plan')
    const wrapper = mount(PlanView, {
      global: screenGlobal(router),
      attachTo: document.body,
    })
    await until(() => q('plan-item-11') !== null, 'the plan')
    await flushPromises()
    return { wrapper, seen }
  }

  function setInput(scope: Element, testid: string, value: string): void {
    const el = scope.querySelector(`[data-testid="${testid}"]`)
    const input = (el?.matches('input, textarea') ? el : el?.querySelector('input, textarea')) as HTMLInputElement
    input.value = value
    input.dispatchEvent(new Event('input'))
  }

  it('offers the reviewer only the bodies they belong to', async () => {
    const submitted = planDto({ id: 40, version: 3, state: 'SUBMITTED', state_name: '待会审' })
    const { wrapper, seen } = await open((req) =>
      req.method === 'POST'
        ? jsonResponse(view({ ...submitted, version: 4 }))
        : jsonResponse(view(submitted, { can_edit: false, can_review: true, review_bodies: ['巡察办'] })),
    )
    await until(() => q('review-panel') !== null, 'the review panel')
    expect(q('review-body-巡察办')).not.toBeNull()
    expect(q('review-body-巡察组')).toBeNull()
    ;(q('review-submit') as HTMLElement).click()
    await until(() => seen.some((r) => r.method === 'POST'), 'the review')
    const post = seen.find((r) => r.method === 'POST')!
    expect(post.path).toBe('/api/v1/rect/plans/40/review')
    expect((post.body as { bodies: string[] }).bodies).toEqual(['巡察办'])
    wrapper.unmount()
  })

  it('names what is missing and sends nothing', async () => {
    const { wrapper, seen } = await open(() => jsonResponse(view(planDto())))
    ;(q('plan-submit') as HTMLElement).click()
    await flushPromises()
    const errors = q('plan-errors')?.textContent ?? ''
    expect(errors).toContain('问题“选人用人工作不规范”至少需要一项整改措施')
    expect(errors).toContain('提交前须填写主要负责人姓名（签字背书）')
    expect(seen.filter((r) => r.method !== 'GET')).toEqual([])
    wrapper.unmount()
  })

  it('saves a draft with one measure in working days, exactly one deadline field set', async () => {
    const { wrapper, seen } = await open((req) =>
      req.method === 'PUT' ? jsonResponse(view(planDto({ id: 40, version: 1 }))) : jsonResponse(view(planDto())),
    )
    const card = q('plan-item-12')!
    ;(card.querySelector('[data-testid="plan-measure-add"]') as HTMLElement).click()
    await flushPromises()
    const measure = card.querySelector('[data-testid="plan-measure"]')!
    setInput(measure, 'measure-content', '开展选人用人专项检查')
    setInput(measure, 'measure-leader', '李强')
    setInput(measure, 'measure-dept', '人事处')
    ;(measure.querySelector('[data-testid="measure-mode-days"] input') as HTMLInputElement).click()
    await flushPromises()
    setInput(measure, 'measure-days', '30')
    ;(measure.querySelector('[data-testid="measure-days"] input') as HTMLInputElement).dispatchEvent(
      new Event('change'),
    )
    await flushPromises()
    ;(q('plan-save') as HTMLElement).click()
    await until(() => seen.some((r) => r.method === 'PUT'), 'the save')
    const put = seen.find((r) => r.method === 'PUT')!
    expect(put.path).toBe('/api/v1/rect/units/3/plan')
    const body = put.body as { items: { finding_id: number; measures: unknown[] }[]; version: number }
    expect(body.version).toBe(0)
    expect(body.items).toEqual([
      { finding_id: 11, measures: [] },
      {
        finding_id: 12,
        measures: [
          {
            kind: 'deadline',
            content: '开展选人用人专项检查',
            target: '',
            responsible_leader: '李强',
            lead_dept: '人事处',
            co_depts: [],
            deadline: null,
            deadline_working_days: 30,
            resolved_deadline: null,
          },
        ],
      },
    ])
    wrapper.unmount()
  })
})

describe('notification bell', () => {
  it('shows the unread count from the server', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      const seen = stubFetch(() => jsonResponse({ items: [], total: 0, page: 1, page_size: 30, unread: 3 }))
      const router = await routerAt('/rect/ledger')
      const wrapper = mount(NotificationBell, {
        global: screenGlobal(router),
        attachTo: document.body,
      })
      await until(() => (q('notification-count')?.textContent ?? '').includes('3'), 'the count')
      expect(seen[0]!.path).toBe('/api/v1/notifications')
      // One page of the unread ones, as many as the drop-down shows.
      expect(Object.fromEntries(seen[0]!.query)).toEqual({ unread: 'true', page_size: '30' })
      const polls = seen.length
      await vi.advanceTimersByTimeAsync(60_000)
      await flushPromises()
      expect(seen.length).toBeGreaterThan(polls)
      wrapper.unmount()
    } finally {
      vi.useRealTimers()
    }
  })
})
