import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import TransitionButtons from '@/components/TransitionButtons.vue'
import { vPerm } from '@/directives/perm'
import { i18n } from '@/locales'
import { compartmentsOf, useAuthStore } from '@/stores/auth'
import { clueActions, percent, stepIndex } from '@/utils/inspection'
import { ref } from 'vue'
import { useLocalPage } from '@/utils/paging'
import { formatDateTime } from '@/utils/format'
import * as inspectionApi from '@/api/inspection'
import * as teamsApi from '@/api/teams'
import type { Me } from '@/api/auth'
import { jsonResponse, problemResponse, stubFetch, until, me as baseMe } from './helpers'

const me = (permissions: string[], extra: Partial<Me> = {}): Me =>
  baseMe(permissions, { org_id: 1, org_name: '单位', ...extra })

beforeEach(() => {
  setActivePinia(createPinia())
  document.body.innerHTML = ''
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('transition buttons', () => {
  function mountButtons(run: (to: string, comment: string) => Promise<boolean>, permission: string | string[] = []) {
    return mount(TransitionButtons, {
      props: {
        transitions: [
          { to: 'CONFIRMED', name: '组务会确认' },
          { to: 'DRAFT', name: '退回' },
        ],
        run,
        permission,
        testid: 'tr',
      },
      global: { plugins: [i18n, ElementPlus], directives: { perm: vPerm } },
      attachTo: document.body,
    })
  }

  it('shows one button per allowed transition and runs the chosen one with the comment', async () => {
    useAuthStore().me = me(['fieldwork:write'])
    const run = vi.fn(async () => true)
    const wrapper = mountButtons(run, 'fieldwork:write')
    expect(wrapper.findAll('button').map((b) => b.text())).toEqual(['组务会确认', '退回'])

    await wrapper.find('[data-testid="tr-CONFIRMED"]').trigger('click')
    await until(() => document.querySelector('[data-testid="transition-comment"]') !== null, 'the comment dialog')
    expect(document.body.textContent).toContain('确认操作：组务会确认')
    const textarea = document.querySelector(
      '[data-testid="transition-comment"] textarea, textarea[data-testid="transition-comment"]',
    ) as HTMLTextAreaElement
    textarea.value = '  组务会第3次会议通过  '
    textarea.dispatchEvent(new Event('input'))
    await nextTick()
    ;(document.querySelector('[data-testid="transition-confirm"]') as HTMLButtonElement).click()
    await until(() => run.mock.calls.length === 1, 'the run call')
    expect(run).toHaveBeenCalledWith('CONFIRMED', '组务会第3次会议通过')
    wrapper.unmount()
  })

  it('keeps the dialog open when the call fails, and hides everything without the permission', async () => {
    useAuthStore().me = me(['inspection:read'])
    const wrapper = mountButtons(async () => false, ['fieldwork:write', 'inspection:plan'])
    expect((wrapper.element as HTMLElement).style.display).toBe('none')
    useAuthStore().me = me(['inspection:plan'])
    await nextTick()
    expect((wrapper.element as HTMLElement).style.display).not.toBe('none')

    await wrapper.find('[data-testid="tr-DRAFT"]').trigger('click')
    await until(() => document.querySelector('[data-testid="transition-confirm"]') !== null, 'the dialog')
    ;(document.querySelector('[data-testid="transition-confirm"]') as HTMLButtonElement).click()
    await new Promise((r) => setTimeout(r, 30))
    const dialog = document
      .querySelector('[data-testid="transition-comment"]')
      ?.closest('.el-overlay') as HTMLElement | null
    expect(dialog).not.toBeNull()
    expect(dialog!.style.display).not.toBe('none')
    wrapper.unmount()
  })

  it('says so when nothing can be done', () => {
    const wrapper = mount(TransitionButtons, {
      props: { transitions: [], run: async () => true },
      global: { plugins: [i18n, ElementPlus], directives: { perm: vPerm } },
    })
    expect(wrapper.text()).toContain('当前没有可办理的操作')
  })
})

describe('compartments', () => {
  it('uses the compartments the server lists', () => {
    expect([...compartmentsOf(me(['fieldwork:write'], { compartments: ['talk'] }))]).toEqual(['talk'])
    expect([...compartmentsOf(me([], { compartments: ['clue'] }))]).toEqual(['clue'])
  })

  it('never guesses them from role codes or permissions', () => {
    const roles = [
      { id: 1, code: 'office_director', name: '巡察办主任' },
      { id: 2, code: 'inspector', name: '巡察组成员' },
      { id: 3, code: 'discipline', name: '纪检监察机关' },
    ]
    expect(compartmentsOf(me(['clue:lead', 'clue:dispose', 'fieldwork:write'], { roles })).size).toBe(0)
    expect([...compartmentsOf(me(['clue:dispose'], { roles, compartments: ['reporter'] }))]).toEqual(['reporter'])
    expect(compartmentsOf(null).size).toBe(0)
  })

  it('is what the store answers', () => {
    const auth = useAuthStore()
    auth.me = me(['clue:dispose'], { roles: [{ id: 3, code: 'discipline', name: '纪检监察机关' }] })
    expect(auth.hasCompartment('clue')).toBe(false)
    auth.me = me(['problem:read'], { compartments: ['clue'] })
    expect(auth.hasCompartment('clue')).toBe(true)
  })
})

describe('inspection rules', () => {
  it('places a state in its lifecycle', () => {
    const states = [{ code: 'PLANNED' }, { code: 'PREPARING' }, { code: 'NOTIFIED' }]
    expect(stepIndex(states, 'NOTIFIED')).toBe(2)
    expect(stepIndex(states, 'GONE')).toBe(-1)
  })

  it('sorts the transitions of a clue by the endpoint each goes through', () => {
    const tr = (...to: string[]) => to.map((x) => ({ to: x, name: `名${x}` }))
    const none = { triage: [], transitions: [], transfer: false, receipt: false, dispose: false, close: false }
    expect(clueActions(tr('CLUE', 'TO_FINDING', 'FORWARDED', 'DISMISSED'))).toEqual({
      ...none,
      triage: ['clue', 'finding', 'forward', 'dismiss'],
    })
    expect(clueActions(tr('DISMISSED', 'CLUE'))).toEqual({ ...none, triage: ['dismiss', 'clue'] })
    expect(clueActions(tr('REPORTED'))).toEqual({ ...none, transitions: [{ to: 'REPORTED', name: '名REPORTED' }] })
    expect(clueActions(tr('TRANSFER_APPROVED'))).toEqual({
      ...none,
      transitions: [{ to: 'TRANSFER_APPROVED', name: '名TRANSFER_APPROVED' }],
    })
    expect(clueActions(tr('TRANSFERRED'))).toEqual({ ...none, transfer: true })
    expect(clueActions(tr('DISPOSING'))).toEqual({ ...none, receipt: true })
    expect(clueActions(tr('RESULT_FED_BACK'))).toEqual({ ...none, dispose: true })
    expect(clueActions(tr('CLOSED'))).toEqual({ ...none, close: true })
  })

  it('offers nothing the server did not list', () => {
    const none = { triage: [], transitions: [], transfer: false, receipt: false, dispose: false, close: false }
    expect(clueActions([])).toEqual(none)
    expect(clueActions(undefined)).toEqual(none)
    expect(clueActions([{ to: 'RECEIVED', name: '已受理' }])).toEqual(none)
  })

  it('keeps plain dates as they are and formats instants in local time', () => {
    expect(formatDateTime('2026-11-22')).toBe('2026-11-22')
    expect(formatDateTime('2026-11-22T00:30:00Z')).toMatch(/^2026-11-2[12] \d\d:30:00$/)
    expect(formatDateTime(null)).toBe('')
  })

  it('shows rates as percentages', () => {
    expect(percent(98.71)).toBe(98.7)
    expect(percent(76)).toBe(76)
    expect(percent(0.5)).toBe(0.5)
    expect(percent(0)).toBe(0)
    expect(percent(null)).toBe(0)
  })

  it('pages a local list and never stays on a page past the end', async () => {
    const rows = ref(Array.from({ length: 45 }, (_, i) => i))
    const { page, total, paged } = useLocalPage(rows, 20)
    expect(total.value).toBe(45)
    page.value = 3
    expect(paged.value).toEqual([40, 41, 42, 43, 44])
    rows.value = rows.value.slice(0, 10)
    await nextTick()
    expect(page.value).toBe(1)
    expect(paged.value).toHaveLength(10)
  })
})

describe('inspection api', () => {
  it('sends the documented bodies and leaves empty filters out of the query', async () => {
    const seen = stubFetch((req) => (req.method === 'GET' ? jsonResponse([]) : jsonResponse({ id: 1 }, 201)))
    await inspectionApi.rounds()
    await inspectionApi.roundUnits({ round_id: 4, state: undefined })
    await inspectionApi.transitionUnit(7, 'PREPARING', '', 3)
    await teamsApi.addMember(2, 11, 'leader')
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/rounds',
      'GET /api/v1/round-units',
      'POST /api/v1/round-units/7/transition',
      'POST /api/v1/teams/2/members',
    ])
    expect(seen[2]!.body).toEqual({ to: 'PREPARING', comment: '', version: 3 })
    // No `override` key at all on a plain assignment.
    expect(seen[3]!.body).toEqual({ person_id: 11, role: 'leader' })
  })

  it('passes the query through the shared client', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', async (input: Request) => {
      urls.push(new URL(input.url).search)
      return jsonResponse([])
    })
    await inspectionApi.roundUnits({ round_id: 4, state: 'PLANNED' })
    await inspectionApi.roundUnits({ round_id: 4, page: 3, page_size: 50 })
    expect(urls).toEqual(['?round_id=4&state=PLANNED', '?round_id=4&page=3&page_size=50'])
  })

  it('raises the problem of an illegal transition', async () => {
    stubFetch(() => problemResponse(409, 'inspection.illegal_transition', '当前状态不能直接办理为“已反馈”'))
    const error = await inspectionApi.transitionUnit(7, 'FEEDBACK_DONE', '', 3).catch((e) => e)
    expect(error.code).toBe('inspection.illegal_transition')
    expect(error.message).toBe('当前状态不能直接办理为“已反馈”')
  })
})
