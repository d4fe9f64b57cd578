// 三清单一台账 on the ledger page, acting on the 回头看 list, and clue statistics that read 「无权查看」
// rather than 0 for a viewer without the clue compartment.
import { describe, expect, it } from 'vitest'
import LedgerView from '@/views/rectification/ledger.vue'
import AssessmentIndex from '@/views/assessment/index.vue'
import StatsView from '@/views/stats/index.vue'
import type { OwnerGroup, RectUnit, TaskLine } from '@/api/rectification'
import type { Revisit } from '@/api/assessment'
import type { InspectionStats } from '@/api/inspection'
import {
  freshScreenEachTest,
  jsonResponse,
  mountScreen,
  pageResponse,
  SLOW,
  slowUntil as until,
  stubFetch,
} from './helpers'

const text = () => document.body.textContent ?? ''

const mountAt = (component: unknown, path: string, permissions: string[]) =>
  mountScreen(component, path, permissions, {
    'rect-ledger': '/rect/ledger',
    'rect-item': '/rect/items/:id',
    'inspection-round': '/inspection/rounds/:id',
    assessments: '/assessments',
    'assessment-editor': '/assessments/:id',
    'disclosure-editor': '/disclosures/:id',
    stats: '/stats',
  })

function task(over: Partial<TaskLine> = {}): TaskLine {
  return {
    id: 11,
    finding_id: 5,
    org_name: '江岭省财政厅',
    round_name: '2025年第二轮巡察',
    title: '选人用人工作不规范',
    finding_state: 'IN_PROGRESS',
    finding_state_name: '整改中',
    kind: 'deadline',
    kind_name: '限期整改',
    content: '开展制度培训',
    target: '整改到位',
    responsible_leader: '王副厅长',
    lead_dept: '人事处',
    co_depts: ['财务处'],
    deadline: '2027-01-31',
    original_deadline: '2027-01-31',
    state: 'OPEN',
    state_name: '已逾期',
    overdue: true,
    ...over,
  }
}

/** The round unit 3 in rectification (what its plan page names). */
const UNIT_3: RectUnit = {
  id: 3,
  org_id: 2,
  org_name: '江岭省财政厅',
  owner_org_name: '江岭省委巡察办',
  round_id: 1,
  round_name: '2025年第二轮巡察',
  feedback_date: '2025-12-01',
  rectification_due: '2026-03-01',
  plan_state: 'APPROVED',
  plan_state_name: '已通过',
  total: 4,
  closed: 1,
}

freshScreenEachTest()

describe('三清单 on the ledger page', () => {
  it(
    'shows the 任务清单 one line per measure, paged, with the filters',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/rect/lists/tasks')
          return jsonResponse({
            items: [task(), task({ id: 12, content: '建立决策台账', overdue: false, state_name: '整改中' })],
            total: 4,
          })
        if (req.path === '/api/v1/rect/units/3/plan') return jsonResponse({ unit: UNIT_3 })
        return jsonResponse([])
      })
      const { wrapper, router } = await mountAt(LedgerView, '/rect/ledger?list=tasks&round_unit_id=3', ['rect:read'])
      await until(() => text().includes('建立决策台账'), 'the task lines')
      const call = seen.find((r) => r.path === '/api/v1/rect/lists/tasks')!
      expect(call).toBeTruthy()
      expect(text()).toContain('开展制度培训')
      expect(text()).toContain('已逾期')
      expect(text()).toContain('任务清单')
      expect(router.currentRoute.value.query.list).toBe('tasks')
      expect(router.currentRoute.value.query.round_unit_id).toBe('3')
      // The export keeps the same filters and holds all the lists.
      const link = document.querySelector('[data-testid="ledger-export"]') as HTMLAnchorElement
      expect(link.getAttribute('href')).toContain('round_unit_id=3')
      // The unit chosen on the units page shows by name in the unit filter (looked up once, not a whole list).
      await until(
        () => text().includes('江岭省财政厅 · 2025年第二轮巡察'),
        'the unit filter naming the round unit of the address',
      )
      expect(document.querySelector('[data-testid="ledger-filter-unit"]')!.textContent).toContain(
        '江岭省财政厅 · 2025年第二轮巡察',
      )
      expect(seen.some((r) => r.path === '/api/v1/rect/units')).toBe(false)
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'groups the 责任清单 by leader and department',
    async () => {
      const group: OwnerGroup = {
        responsible_leader: '李副厅长',
        lead_dept: '办公室',
        measure_count: 2,
        open_count: 2,
        overdue_count: 1,
        next_deadline: '2027-02-28',
        measures: [task({ responsible_leader: '李副厅长', lead_dept: '办公室', content: '修订决策规则' })],
      }
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/rect/lists/owners') return jsonResponse({ items: [group], total: 1 })
        return jsonResponse([])
      })
      const { wrapper } = await mountAt(LedgerView, '/rect/ledger?list=owners', ['rect:read'])
      await until(() => text().includes('修订决策规则'), 'the owner group')
      expect(seen.some((r) => r.path === '/api/v1/rect/lists/owners')).toBe(true)
      expect(seen.some((r) => r.path === '/api/v1/rect/ledger')).toBe(false)
      expect(text()).toContain('李副厅长')
      expect(text()).toContain('2027-02-28')
      wrapper.unmount()
    },
    SLOW,
  )
})

function revisit(over: Partial<Revisit> = {}): Revisit {
  return {
    id: 7,
    round_unit_id: 3,
    round_id: 1,
    round_name: '2025年第二轮巡察',
    org_id: 2,
    org_name: '江岭省交通投资集团有限公司',
    assessment_id: 4,
    reason: '整改评估72.5分，等次“基本合格”',
    state: 'PENDING',
    state_name: '待安排',
    added_at: '2026-11-23T02:00:00Z',
    finding_count: 3,
    revisit_round_id: null,
    revisit_round_name: null,
    scheduled_at: null,
    scheduled_by_name: null,
    done_at: null,
    done_by_name: null,
    note: '',
    version: 1,
    ...over,
  }
}

describe('回头看 list', () => {
  it(
    'links to the earlier items and schedules an entry into a round',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/assessment/revisits') return pageResponse([revisit()])
        if (req.path === '/api/v1/rounds')
          return jsonResponse([
            {
              id: 1,
              term_id: 1,
              term_name: '第十四届',
              name: '2025年第二轮巡察',
              kinds: ['regular'],
              start_date: '2025-09-01',
              end_date: '2025-10-31',
              focus: '',
              work_plan: '',
              unit_count: 4,
              version: 1,
            },
            {
              id: 9,
              term_id: 1,
              term_name: '第十四届',
              name: '省委2027年回头看',
              kinds: ['revisit'],
              start_date: '2027-03-01',
              end_date: '2027-04-30',
              focus: '',
              work_plan: '',
              unit_count: 0,
              version: 1,
            },
          ])
        if (req.path === '/api/v1/assessment/revisits/7/schedule')
          return jsonResponse(
            revisit({
              state: 'SCHEDULED',
              state_name: '已安排',
              revisit_round_id: 9,
              revisit_round_name: '省委2027年回头看',
              version: 2,
            }),
          )
        if (req.path === '/api/v1/assessments') return jsonResponse({ items: [], total: 0 })
        return jsonResponse([])
      })
      const { wrapper } = await mountAt(AssessmentIndex, '/assessments', ['rect:read', 'rect:supervise'])
      ;(document.querySelector('#tab-revisits') as HTMLElement).click()
      await until(() => document.querySelector('[data-testid="revisit-earlier-7"]') !== null, 'the revisit row')
      const earlier = document.querySelector('[data-testid="revisit-earlier-7"]') as HTMLAnchorElement
      expect(earlier.textContent).toContain('3 个问题')
      expect(earlier.getAttribute('href')).toContain('round_unit_id=3')
      expect(text()).toContain('未安排')
      ;(document.querySelector('[data-testid="revisit-schedule-7"]') as HTMLElement).click()
      await until(() => seen.some((r) => r.path === '/api/v1/rounds'), 'the rounds')
      const vm = wrapper.vm as unknown as { scheduleRound: number | null }
      vm.scheduleRound = 9
      await until(
        () => !(document.querySelector('[data-testid="revisit-schedule-save"]') as HTMLButtonElement).disabled,
        'a round picked',
      )
      ;(document.querySelector('[data-testid="revisit-schedule-save"]') as HTMLElement).click()
      await until(() => document.querySelector('[data-testid="revisit-round-7"]') !== null, 'the revisit round link')
      const call = seen.find((r) => r.path === '/api/v1/assessment/revisits/7/schedule')!
      expect(call.method).toBe('POST')
      expect(call.body).toEqual({ round_id: 9, version: 1 })
      expect(document.querySelector('[data-testid="revisit-round-7"]')!.getAttribute('href')).toContain(
        '/inspection/rounds/9',
      )
      expect(document.querySelector('[data-testid="revisit-done-7"]')).not.toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('inspection statistics', () => {
  const base: InspectionStats = {
    fieldwork: [],
    findings_by_category: [],
    findings_by_state: [],
    findings_by_round: [],
    clues: null,
    clues_visible: false,
    clues_team_only: false,
    immediate: { issued: 2, done: 1, rate: 50 },
  }

  it(
    'says 无权查看 for clue figures without the compartment, never 0',
    async () => {
      stubFetch((req) => (req.path === '/api/v1/stats/inspection' ? jsonResponse(base) : jsonResponse([])))
      const { wrapper } = await mountAt(StatsView, '/stats', ['inspection:read'])
      await until(
        () => document.querySelector('[data-testid="stats-cluesReceived-hidden"]') !== null,
        'the hidden figures',
      )
      expect(document.querySelector('[data-testid="stats-cluesReceived-hidden"]')!.textContent).toContain('无权查看')
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'shows the true count with the compartment',
    async () => {
      const stats = {
        ...base,
        clues_visible: true,
        clues: { received: 145, transferred: 20, with_result: 10, overdue: 2, settled_rate: 50 },
      }
      stubFetch((req) => (req.path === '/api/v1/stats/inspection' ? jsonResponse(stats) : jsonResponse([])))
      const { wrapper } = await mountAt(StatsView, '/stats', ['inspection:read'])
      await until(() => text().includes('145'), 'the clue count')
      expect(document.querySelector('[data-testid="stats-cluesReceived-hidden"]')).toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )
})
