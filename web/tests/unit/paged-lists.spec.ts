// The lists that used to come whole (people, round units in rectification, clues, fed-back units; then the recusal
// requests, the revisits, the letters, the extensions, the problem list) are paged by the server with a total, and
// the choosers over them search the server (a page of hits) instead of loading everything.
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import TeamsView from '@/views/teams/index.vue'
import RectUnitsView from '@/views/rectification/units.vue'
import ClueDisposalView from '@/views/clues/index.vue'
import AssessmentIndex from '@/views/assessment/index.vue'
import DisclosureIndex from '@/views/disclosure/index.vue'
import SupervisionView from '@/views/rectification/supervision.vue'
import ProblemsView from '@/views/problems/index.vue'
import RecusalRequests from '@/views/inspection/components/RecusalRequests.vue'
import RemoteSelect from '@/components/RemoteSelect.vue'
import { useRectRounds } from '@/composables/useRectRounds'
import { useAuthStore } from '@/stores/auth'
import type { Person } from '@/api/teams'
import type { Clue } from '@/api/clues'
import type { ExtensionListed, Letter, RectUnit } from '@/api/rectification'
import type { AssessUnit, Revisit } from '@/api/assessment'
import type { Finding } from '@/api/findings'
import type { RecusalRequest } from '@/api/teams'
import {
  freshScreenEachTest,
  jsonResponse,
  me,
  mountScreen,
  pageResponse,
  screenGlobal,
  SLOW,
  slowUntil as until,
  stubFetch,
  stubRouterAt,
  type Captured,
} from './helpers'

const text = () => document.body.textContent ?? ''
const q = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`)
const calls = (seen: Captured[], path: string) => seen.filter((r) => r.method === 'GET' && r.path === path)
/** The query of the last GET of `path`, as a plain object. */
const lastQuery = (seen: Captured[], path: string) => Object.fromEntries(calls(seen, path).at(-1)?.query ?? [])

/** Types into the input of an Element Plus field and waits a tick. */
async function type(testid: string, value: string): Promise<void> {
  const input = q(testid)!.matches('input') ? (q(testid) as HTMLInputElement) : q(testid)!.querySelector('input')!
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
}

/** Submits the filter form holding this element (its 查询 button). */
async function submitFormOf(testid: string): Promise<void> {
  const form = q(testid)!.closest('form')!
  ;(form.querySelector('button[type="submit"]') as HTMLButtonElement).click()
  await flushPromises()
}

/** Goes to the next page of the list inside `scope` (the first list of the page by default). */
async function nextPage(scope = 'body'): Promise<void> {
  ;(document.querySelector(`${scope} .el-pagination .btn-next`) as HTMLButtonElement).click()
  await flushPromises()
}

/** The total the pager shows (of the list inside `scope`, when a page has several). */
const pagerTotal = (scope = 'body') => document.querySelector(`${scope} .el-pagination__total`)?.textContent ?? ''

function person(id: number, name: string): Person {
  return {
    id,
    name,
    org_id: 3,
    org_name: '江岭省审计厅',
    user_id: null,
    specialties: ['审计'],
    pools: ['specialist'],
    seconded: false,
    posts: [],
    relations: [],
    trainings: [],
    workload: 0,
    version: 1,
  }
}

function rectUnit(id: number, org: string): RectUnit {
  return {
    id,
    org_id: id,
    org_name: org,
    owner_org_name: '江岭省委巡察办',
    round_id: 1,
    round_name: '2025年第二轮巡察',
    feedback_date: '2025-12-01',
    rectification_due: '2026-03-01',
    plan_state: null,
    plan_state_name: null,
    total: 2,
    closed: 0,
  }
}

function assessUnit(id: number, org: string): AssessUnit {
  return {
    id,
    org_id: id,
    org_name: org,
    round_id: 1,
    round_name: '2025年第二轮巡察',
    feedback_date: '2025-12-01',
    rectification_due: '2026-03-01',
    assessment_id: null,
    disclosure_id: null,
  }
}

function clue(id: number, summary: string): Clue {
  return {
    id,
    round_unit_id: 3,
    org_id: 2,
    org_name: '江岭省教育厅',
    source: 'petition',
    source_name: '信访',
    summary,
    subject_name: '王某',
    subject_post: '基建处处长',
    informant: null,
    informant_visible: false,
    facts: null,
    state: 'TRANSFERRED',
    state_name: '已移交',
    overdue: false,
    version: 1,
  }
}

function extension(id: number, title: string): ExtensionListed {
  return {
    id,
    finding_id: 100 + id,
    title,
    org_name: '江岭省财政厅',
    old_deadline: '2026-03-31',
    new_deadline: '2026-06-30',
    reason: '涉及制度修订，需提交党组会审议',
    requested_at: '2026-03-20T02:00:00Z',
    requested_by_name: '刘联络',
    state: 'PENDING',
    state_name: '待审批',
  }
}

function letter(id: number, docNo: string): Letter {
  return {
    id,
    round_unit_id: 3,
    org_name: '江岭省财政厅',
    addressee_name: '江岭省财政厅党组',
    doc_no: docNo,
    finding_ids: [5],
    issued_at: '2026-04-01T02:00:00Z',
    issued_by_name: '黄明',
    letter_name: '督办函',
    letter_type: 'urge',
    requirement: '请于收函后10个工作日内书面报告',
    state: 'issued',
    state_name: '已发出',
    url: `/api/v1/rect/letters/${id}/docx`,
    version: 1,
  }
}

function finding(id: number, title: string): Finding {
  return {
    id,
    round_unit_id: 3,
    org_id: 2,
    org_name: '江岭省财政厅',
    round_name: '2025年第二轮巡察',
    title,
    facts: '纪实不全',
    basis: '条例',
    responsibility: '厅党组',
    evidence: '',
    finder: '',
    team_opinion: '',
    activity_ids: [],
    category_id: null,
    category_name: '党的建设',
    frame_name: null,
    state: 'FED_BACK',
    state_name: '已反馈',
    created_at: '2025-10-01T02:00:00Z',
    updated_at: '2025-12-01T02:00:00Z',
    version: 3,
  }
}

function revisit(id: number, org: string): Revisit {
  return {
    id,
    round_unit_id: 3,
    round_id: 1,
    round_name: '2025年第二轮巡察',
    org_id: 2,
    org_name: org,
    assessment_id: 4,
    reason: '整改评估72.5分',
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
  }
}

function recusalRequest(id: number, teamId: number, person: string): RecusalRequest {
  return {
    id,
    team_id: teamId,
    team_name: `第${teamId}巡察组`,
    round_id: 1,
    person_id: 10 + id,
    person_name: person,
    role: 'member',
    role_name: '成员',
    join_team: true,
    unit_ids: [7],
    conflicts: [],
    reason: '审计专业人员紧缺',
    state: 'pending',
    state_name: '待审批',
    requested_by: 4,
    requested_by_name: '黄明',
    requested_at: '2026-03-01T00:00:00Z',
    decided_by_name: null,
    decided_at: null,
    decision_comment: null,
    version: 1,
  }
}

freshScreenEachTest()

describe('the talent pools', () => {
  it(
    'asks the server for one page at a time, shows the total and sends the filters from page 1',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path !== '/api/v1/people') return jsonResponse([])
        const page = Number(req.query.get('page'))
        return pageResponse([person(page, page === 2 ? '王二' : '李一')], 45, page)
      })
      const { wrapper } = await mountScreen(TeamsView, '/teams', ['inspection:read', 'team:manage'], {
        teams: '/teams',
      })
      await until(() => text().includes('李一'), 'the first page')
      expect(lastQuery(seen, '/api/v1/people')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal()).toContain('45')

      await nextPage()
      await until(() => text().includes('王二'), 'the second page')
      expect(lastQuery(seen, '/api/v1/people')).toEqual({ page: '2', page_size: '20' })
      expect(text()).not.toContain('李一')

      // A search starts again from page 1 with the name.
      await type('person-search', ' 王 ')
      await submitFormOf('person-search')
      await until(() => lastQuery(seen, '/api/v1/people').q === '王', 'the search')
      expect(lastQuery(seen, '/api/v1/people')).toEqual({ q: '王', page: '1', page_size: '20' })
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('the round units in rectification', () => {
  it(
    'searches the server by name or code and pages with a total',
    async () => {
      const seen = stubFetch((req) =>
        req.path === '/api/v1/rect/units'
          ? pageResponse([rectUnit(7, req.query.get('q') ? '云台市' : '江岭省财政厅')], 9600)
          : jsonResponse([]),
      )
      const { wrapper } = await mountScreen(RectUnitsView, '/rect/units', ['rect:read'], {
        'rect-units': '/rect/units',
        'rect-plan': '/rect/units/:id/plan',
        'rect-ledger': '/rect/ledger',
      })
      await until(() => text().includes('江岭省财政厅'), 'the first page')
      expect(lastQuery(seen, '/api/v1/rect/units')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal()).toContain('9600')

      await type('rect-unit-q', '云台')
      await submitFormOf('rect-unit-q')
      await until(() => text().includes('云台市'), 'the search')
      expect(lastQuery(seen, '/api/v1/rect/units')).toEqual({ q: '云台', page: '1', page_size: '20' })
      expect(q('rect-unit-open-7')).not.toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('clue disposal', () => {
  it(
    "pages the receiving body's inbox on the server, keeping the state filter",
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/inspection/states')
          return jsonResponse({ round_unit: [], finding: [], clue: [{ code: 'DISPOSING', name: '处置中' }] })
        if (req.path !== '/api/v1/clues') return jsonResponse([])
        const page = Number(req.query.get('page'))
        return pageResponse([clue(page, `线索第${page}页`)], 30, page)
      })
      useAuthStore().me = me(['clue:dispose'], { compartments: ['clue'] })
      const router = await stubRouterAt('/clues', { clues: '/clues' })
      const wrapper = mount(ClueDisposalView, { global: screenGlobal(router), attachTo: document.body })
      await until(() => text().includes('线索第1页'), 'the first page')
      expect(lastQuery(seen, '/api/v1/clues')).toEqual({ received: 'true', page: '1', page_size: '20' })
      expect(pagerTotal()).toContain('30')

      await nextPage()
      await until(() => text().includes('线索第2页'), 'the second page')
      expect(lastQuery(seen, '/api/v1/clues')).toEqual({ received: 'true', page: '2', page_size: '20' })

      // A state: back to page 1 with it, and it stays on the next page.
      ;(q('disposal-state')!.querySelector('.el-select__wrapper') as HTMLElement).click()
      const option = () =>
        [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find(
          (o) => o.textContent?.trim() === '处置中',
        )
      await until(() => option() !== undefined, 'the state options')
      option()!.click()
      await until(() => lastQuery(seen, '/api/v1/clues').state === 'DISPOSING', 'the filtered load')
      expect(lastQuery(seen, '/api/v1/clues')).toEqual({
        received: 'true',
        state: 'DISPOSING',
        page: '1',
        page_size: '20',
      })
      await until(() => text().includes('线索第1页'), 'the first filtered page')
      await nextPage()
      await until(() => lastQuery(seen, '/api/v1/clues').page === '2', 'the next filtered page')
      expect(lastQuery(seen, '/api/v1/clues').state).toBe('DISPOSING')
      wrapper.unmount()
    },
    SLOW,
  )
})

/** The assessment page (its tabs load on first open), as a supervisor sees it. */
const mountAssessment = () =>
  mountScreen(AssessmentIndex, '/assessment', ['rect:read', 'rect:supervise'], {
    assessments: '/assessment',
    'assessment-editor': '/assessment/:id',
    'disclosure-editor': '/disclosure/:id',
    'rect-ledger': '/rect/ledger',
    'inspection-round': '/inspection/rounds/:id',
  })

describe('the fed-back units of the assessment page', () => {
  it(
    'loads one page when the tab opens and searches by name or code',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/assessments') return pageResponse([])
        if (req.path === '/api/v1/assessment/units')
          return pageResponse([assessUnit(3, req.query.get('q') ? '云台市' : '江岭省财政厅')], 57)
        return jsonResponse([])
      })
      const { wrapper } = await mountAssessment()
      await until(() => calls(seen, '/api/v1/assessments').length > 0, 'the assessments')
      expect(calls(seen, '/api/v1/assessment/units')).toHaveLength(0)
      ;(document.querySelector('#tab-units') as HTMLElement).click()
      await until(() => text().includes('江岭省财政厅'), 'the units')
      expect(lastQuery(seen, '/api/v1/assessment/units')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal('#pane-units')).toContain('57')

      await type('assessment-units-q', '云台')
      await submitFormOf('assessment-units-q')
      await until(() => text().includes('云台市'), 'the search')
      expect(lastQuery(seen, '/api/v1/assessment/units')).toEqual({ q: '云台', page: '1', page_size: '20' })
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('choosing a unit to disclose', () => {
  it(
    'searches the units without a disclosure yet and drafts for the one chosen',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/disclosures' && req.method === 'GET') return pageResponse([])
        if (req.path === '/api/v1/disclosures') return jsonResponse({ id: 12 }, 201)
        if (req.path === '/api/v1/assessment/units')
          return pageResponse(req.query.get('q') ? [assessUnit(4, '云台市')] : [assessUnit(3, '江岭省财政厅')], 1)
        return jsonResponse([])
      })
      const { wrapper, router } = await mountScreen(DisclosureIndex, '/disclosure', ['rect:read', 'rect:supervise'], {
        disclosures: '/disclosure',
        'disclosure-editor': '/disclosure/:id',
        'public-disclosures': '/public/disclosures',
      })
      await until(() => q('disclosure-unit') !== null, 'the unit chooser')
      // Nothing is loaded until the chooser opens.
      expect(calls(seen, '/api/v1/assessment/units')).toHaveLength(0)
      expect((q('disclosure-create') as HTMLButtonElement).disabled).toBe(true)

      ;(q('disclosure-unit')!.querySelector('.el-select__wrapper') as HTMLElement).click()
      await until(() => calls(seen, '/api/v1/assessment/units').length > 0, 'the first page of units')
      expect(lastQuery(seen, '/api/v1/assessment/units')).toEqual({ undisclosed: 'true', page: '1', page_size: '20' })

      await type('disclosure-unit', '云台')
      await until(() => lastQuery(seen, '/api/v1/assessment/units').q === '云台', 'the search')
      expect(lastQuery(seen, '/api/v1/assessment/units')).toEqual({
        q: '云台',
        undisclosed: 'true',
        page: '1',
        page_size: '20',
      })
      const option = () =>
        [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((o) =>
          o.textContent?.includes('云台市 · 2025年第二轮巡察'),
        )
      await until(() => option() !== undefined, 'the hit')
      option()!.click()
      await until(() => !(q('disclosure-create') as HTMLButtonElement).disabled, 'a unit chosen')
      q('disclosure-create')!.click()
      await until(() => seen.some((r) => r.method === 'POST'), 'the draft')
      expect(seen.find((r) => r.method === 'POST')!.body).toEqual({ round_unit_id: 4 })
      await until(() => router.currentRoute.value.path === '/disclosure/12', 'the editor')
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('supervision', () => {
  it(
    'pages the pending extensions and the letters on the server, each with its total',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/rect/settings') return jsonResponse({ letter_ladder: [] })
        if (req.path === '/api/v1/rect/letters') return pageResponse([letter(9, '江巡督〔2026〕9号')], 3)
        if (req.path !== '/api/v1/rect/extensions') return jsonResponse([])
        const page = Number(req.query.get('page'))
        return pageResponse([extension(page, `延期申请第${page}页`)], 27, page)
      })
      const { wrapper } = await mountScreen(
        SupervisionView,
        '/rect/supervision',
        ['rect:read', 'rect:supervise', 'rect:review'],
        { 'rect-supervision': '/rect/supervision', 'rect-item': '/rect/items/:id' },
      )
      await until(() => text().includes('延期申请第1页'), 'the first page of extensions')
      expect(lastQuery(seen, '/api/v1/rect/extensions')).toEqual({ state: 'PENDING', page: '1', page_size: '20' })
      expect(pagerTotal('[data-testid="pending-extensions-pager"]')).toContain('27')

      await nextPage('[data-testid="pending-extensions-pager"]')
      await until(() => text().includes('延期申请第2页'), 'the second page of extensions')
      expect(lastQuery(seen, '/api/v1/rect/extensions')).toEqual({ state: 'PENDING', page: '2', page_size: '20' })
      expect(text()).not.toContain('延期申请第1页')
      expect(pagerTotal('[data-testid="pending-extensions-pager"]')).toContain('27')

      // The letters: one page, newest first as the server sends them, and their own total.
      await until(() => text().includes('江巡督〔2026〕9号'), 'the letters')
      expect(lastQuery(seen, '/api/v1/rect/letters')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal('[data-testid="letter-pager"]')).toContain('3')
      expect(calls(seen, '/api/v1/rect/letters')).toHaveLength(1)
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'asks for no extensions without rect:review',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/rect/settings') return jsonResponse({ letter_ladder: [] })
        if (req.path === '/api/v1/rect/letters') return pageResponse([letter(9, '江巡督〔2026〕9号')])
        return jsonResponse([])
      })
      const { wrapper } = await mountScreen(SupervisionView, '/rect/supervision', ['rect:read', 'rect:supervise'], {
        'rect-supervision': '/rect/supervision',
        'rect-item': '/rect/items/:id',
      })
      await until(() => text().includes('江巡督〔2026〕9号'), 'the letters')
      expect(calls(seen, '/api/v1/rect/extensions')).toHaveLength(0)
      expect(q('pending-extensions')).toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )
})

describe("the inspected unit's problem list", () => {
  it(
    'asks the server for one page at a time and numbers the rows across the pages',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path !== '/api/v1/problems') return jsonResponse([])
        const page = Number(req.query.get('page'))
        return pageResponse([finding(page, `问题第${page}页`)], 45, page)
      })
      const { wrapper } = await mountScreen(ProblemsView, '/problems', ['problem:read'], { problems: '/problems' })
      await until(() => text().includes('问题第1页'), 'the first page')
      expect(lastQuery(seen, '/api/v1/problems')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal()).toContain('45')

      await nextPage()
      await until(() => text().includes('问题第2页'), 'the second page')
      expect(lastQuery(seen, '/api/v1/problems')).toEqual({ page: '2', page_size: '20' })
      expect(text()).not.toContain('问题第1页')
      const index = document.querySelector(
        '[data-testid="problem-table"] .el-table__body .el-table__row td:nth-child(2)',
      )
      expect(index?.textContent?.trim()).toBe('21')
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('the revisit list', () => {
  it(
    'loads one page when its tab opens and pages with a total',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/assessments') return pageResponse([])
        if (req.path !== '/api/v1/assessment/revisits') return jsonResponse([])
        const page = Number(req.query.get('page'))
        return pageResponse([revisit(page, page === 2 ? '云台市' : '江岭省财政厅')], 33, page)
      })
      const { wrapper } = await mountAssessment()
      await until(() => calls(seen, '/api/v1/assessments').length > 0, 'the assessments')
      expect(calls(seen, '/api/v1/assessment/revisits')).toHaveLength(0)
      ;(document.querySelector('#tab-revisits') as HTMLElement).click()
      await until(() => text().includes('江岭省财政厅'), 'the first page')
      expect(lastQuery(seen, '/api/v1/assessment/revisits')).toEqual({ page: '1', page_size: '20' })
      expect(pagerTotal('#pane-revisits')).toContain('33')

      await nextPage('#pane-revisits')
      await until(() => text().includes('云台市'), 'the second page')
      expect(lastQuery(seen, '/api/v1/assessment/revisits')).toEqual({ page: '2', page_size: '20' })
      wrapper.unmount()
    },
    SLOW,
  )
})

describe("the pending recusal requests of a round's teams", () => {
  it(
    "asks for each team's pending requests (one page of the largest size) and says when some are not shown",
    async () => {
      const seen = stubFetch((req) => {
        if (req.path !== '/api/v1/recusal-requests') return jsonResponse([])
        return req.query.get('team_id') === '5'
          ? pageResponse([recusalRequest(2, 5, '李明')], 230, 1, 200)
          : pageResponse([recusalRequest(3, 6, '王芳')], 1, 1, 200)
      })
      useAuthStore().me = me(['inspection:read', 'team:manage'])
      const router = await stubRouterAt('/inspection/rounds/1', { 'inspection-round': '/inspection/rounds/:id' })
      const wrapper = mount(RecusalRequests, {
        props: { roundId: 1, teamIds: [5, 6], reload: 0 },
        global: screenGlobal(router),
        attachTo: document.body,
      })
      await until(() => text().includes('李明') && text().includes('王芳'), 'the requests of both teams')
      const asked = calls(seen, '/api/v1/recusal-requests').map((r) => Object.fromEntries(r.query))
      expect(asked).toEqual([
        { team_id: '5', state: 'pending', page: '1', page_size: '200' },
        { team_id: '6', state: 'pending', page: '1', page_size: '200' },
      ])
      // Newest first.
      expect(text().indexOf('王芳')).toBeLessThan(text().indexOf('李明'))
      expect(q('recusal-requests-more')!.textContent).toContain('共 231 条')

      // A round whose teams have all their requests shown: no notice.
      await wrapper.setProps({ teamIds: [6] })
      await until(() => !text().includes('李明'), 'the one team')
      expect(q('recusal-requests-more')).toBeNull()
      wrapper.unmount()
    },
    SLOW,
  )
})

describe('a remote select', () => {
  it('keeps showing the chosen option when a later search does not find it', async () => {
    const items = [
      { id: 1, name: '云台市' },
      { id: 2, name: '江岭省财政厅' },
    ]
    const asked: string[] = []
    const Host = defineComponent({
      setup() {
        const chosen = ref<number | null>(null)
        const search = async (query: string) => {
          asked.push(query)
          const found = items.filter((i) => i.name.includes(query))
          return { items: found, total: found.length }
        }
        return () =>
          h(RemoteSelect<{ id: number; name: string }>, {
            modelValue: chosen.value,
            'onUpdate:modelValue': (v: number | null | undefined) => (chosen.value = v ?? null),
            search,
            label: (i: { name: string }) => i.name,
            'data-testid': 'pick',
          })
      },
    })
    const router = await stubRouterAt('/', { home: '/' })
    const wrapper = mount(Host, { global: screenGlobal(router), attachTo: document.body })
    const select = wrapper.findComponent({ name: 'ElSelect' })
    const remote = select.props('remoteMethod') as (q: string) => void
    remote('云台')
    await until(() => document.querySelectorAll('.el-select-dropdown__item').length === 1, 'one hit')
    ;(document.querySelector('.el-select-dropdown__item') as HTMLElement).click()
    await until(() => select.props('modelValue') === 1, 'chosen')
    remote('财政')
    await until(() => asked.includes('财政'), 'the second search')
    await flushPromises()
    const labels = [...document.querySelectorAll('.el-select-dropdown__item')].map((o) => o.textContent?.trim())
    expect(labels).toEqual(['云台市', '江岭省财政厅'])
    expect(q('pick')!.textContent).toContain('云台市')
    wrapper.unmount()
  })
})

describe('the rounds of the rectification filters', () => {
  it('come from GET /rect/rounds, never from the paged units', async () => {
    const seen = stubFetch((req) => {
      if (req.path === '/api/v1/rect/rounds')
        return jsonResponse([
          { id: 2, name: '2026年第二轮巡察' },
          { id: 1, name: '2025年第二轮巡察' },
        ])
      return jsonResponse([])
    })
    useAuthStore().me = me(['rect:read', 'rect:write'])
    const rounds = useRectRounds()
    await until(() => rounds.value.length === 2, 'the rounds')
    expect(rounds.value).toEqual([
      { id: 2, name: '2026年第二轮巡察' },
      { id: 1, name: '2025年第二轮巡察' },
    ])
    expect(calls(seen, '/api/v1/rect/rounds')).toHaveLength(1)
    expect(calls(seen, '/api/v1/rect/units')).toHaveLength(0)
  })
})
