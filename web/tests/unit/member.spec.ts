// The recusal flow of adding a team member: conflicts listed, an exception requested with a reason
// (override_reason), which files a request an approver decides in their own session.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import ElementPlus from 'element-plus'
import MemberDialog from '@/views/inspection/components/MemberDialog.vue'
import { vPerm } from '@/directives/perm'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'
import type { Me } from '@/api/auth'
import { DIRECTOR, jsonResponse, me as signedIn, problemResponse, stubFetch, until, type Captured } from './helpers'

const TEAM = { id: 5, round_id: 1, name: '第一巡察组', members: [], unit_ids: [], version: 1 }
const PERSON = {
  id: 11,
  name: '李明',
  org_id: 3,
  org_name: '江岭省审计厅',
  user_id: null,
  specialties: ['审计'],
  pools: ['specialist'],
  seconded: true,
  posts: [],
  relations: [],
  trainings: [],
  workload: 0,
  version: 1,
}
const CONFLICT = problemResponse.bind(null, 422, 'recusal.conflict', '该人员存在 2 项回避情形')
const CONFLICT_EXTRA = {
  fields: [{ field: 'person_id', message: '存在回避情形' }],
  errors: [
    { row: 0, column: '任职回避', message: '近三年曾在江岭省财政厅任职' },
    { row: 0, column: '亲属回避', message: '配偶王芳在江岭省财政厅工作' },
  ],
}

let pinia: Pinia

/** The office director with these permissions. */
const me = (permissions: string[]): Me => signedIn(permissions, DIRECTOR)

function q(testid: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${testid}"]`)
}

function all(testid: string): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)]
}

async function type(testid: string, value: string): Promise<void> {
  const host = q(testid)!
  const input = (host.matches('input, textarea') ? host : host.querySelector('input, textarea')) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await nextTick()
}

async function click(testid: string): Promise<void> {
  await until(() => q(testid) !== null, testid)
  q(testid)!.click()
  await flushPromises()
}

async function setup(answer: (req: Captured, posts: number) => Response) {
  let posts = 0
  const seen = stubFetch((req) => {
    if (req.method === 'GET' && req.path === '/api/v1/teams/5/suggestions') {
      return jsonResponse([{ person: PERSON, score: 92, reasons: ['审计专长', '当前无在组任务'] }])
    }
    if (req.method === 'POST' && req.path === '/api/v1/teams/5/members') return answer(req, ++posts)
    return jsonResponse([])
  })
  const wrapper = mount(MemberDialog, {
    props: { visible: false, team: TEAM },
    global: { plugins: [pinia, i18n, ElementPlus], directives: { perm: vPerm } },
    attachTo: document.body,
  })
  await wrapper.setProps({ visible: true })
  await flushPromises()
  // Pick the suggested person (fills the person select).
  await click('member-suggest')
  await click('member-pick')
  return { wrapper, seen }
}

const posted = (seen: Captured[]) => seen.filter((r) => r.method === 'POST').map((r) => r.body)

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  useAuthStore().me = me(['inspection:read', 'team:manage'])
  document.body.innerHTML = ''
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('adding a team member', () => {
  it('adds a member without conflicts in one request', async () => {
    const { wrapper, seen } = await setup(() =>
      jsonResponse({
        ...TEAM,
        members: [{ person_id: 11, name: '李明', role: 'member', role_name: '成员', override_reason: null }],
      }),
    )
    // The suggested person shows by name in the person select (no search of the pools needed).
    expect(q('member-person')!.textContent).toContain('李明')
    await click('member-submit')
    await until(() => wrapper.emitted('saved') !== undefined, 'saved')
    expect(posted(seen)).toEqual([{ person_id: 11, role: 'member' }])
    expect(wrapper.emitted('update:visible')?.at(-1)).toEqual([false])
    expect(q('member-conflicts')).toBeNull()
    wrapper.unmount()
  })

  it('lists every recusal conflict, then requests an exception with a reason', async () => {
    const REQUEST = {
      id: 3,
      team_id: 5,
      team_name: '第一巡察组',
      round_id: 1,
      person_id: 11,
      person_name: '李明',
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
    const { wrapper, seen } = await setup((_req, n) =>
      n === 1 ? CONFLICT(CONFLICT_EXTRA) : jsonResponse(REQUEST, 202),
    )
    await click('member-submit')
    await until(() => all('member-conflict').length === 2, 'the conflicts')

    const texts = all('member-conflict').map((li) => li.textContent?.replace(/\s+/g, ''))
    expect(texts).toEqual(['任职回避：近三年曾在江岭省财政厅任职', '亲属回避：配偶王芳在江岭省财政厅工作'])
    expect(q('member-conflicts')!.textContent).toContain('该人员存在 2 项回避情形')
    // Refused: nothing saved, the dialog stays open.
    expect(wrapper.emitted('saved')).toBeUndefined()

    await click('member-override')
    // The request needs a reason; nobody names an approver.
    expect(q('member-approver')).toBeNull()
    expect((q('member-override-submit') as HTMLButtonElement).disabled).toBe(true)
    await type('member-reason', ' 审计专业人员紧缺 ')
    expect((q('member-override-submit') as HTMLButtonElement).disabled).toBe(false)
    await click('member-override-submit')
    await until(() => wrapper.emitted('requested') !== undefined, 'requested')
    // A request is not a saved member.
    expect(wrapper.emitted('saved')).toBeUndefined()

    expect(posted(seen)).toEqual([
      { person_id: 11, role: 'member' },
      { person_id: 11, role: 'member', override_reason: '审计专业人员紧缺' },
    ])
    wrapper.unmount()
  })

  it('keeps the exception form open with the reason when the request is refused', async () => {
    const { wrapper, seen } = await setup((_req, n) =>
      n === 1 ? CONFLICT(CONFLICT_EXTRA) : problemResponse(422, 'validation.failed', '该人员已有待审批的回避例外申请'),
    )
    await click('member-submit')
    await until(() => all('member-conflict').length === 2, 'the conflicts')
    await click('member-override')
    await type('member-reason', '工作需要')
    await click('member-override-submit')
    await until(() => q('member-override-error') !== null, 'the override error')
    expect(q('member-override-error')!.textContent).toContain('该人员已有待审批的回避例外申请')
    expect(wrapper.emitted('saved')).toBeUndefined()
    expect(posted(seen)).toHaveLength(2)
    wrapper.unmount()
  })

  it('forgets the conflicts when another role is chosen', async () => {
    const { wrapper } = await setup(() => CONFLICT(CONFLICT_EXTRA))
    await click('member-submit')
    await until(() => all('member-conflict').length === 2, 'the conflicts')
    const leader = [...document.querySelectorAll<HTMLInputElement>('[data-testid="member-role"] input')].find(
      (i) => i.value === 'leader',
    )!
    leader.click()
    await flushPromises()
    expect(q('member-conflicts')).toBeNull()
    wrapper.unmount()
  })

  it('searches the talent pools by name, one page of hits, and keeps the person chosen', async () => {
    const seen = stubFetch((req) =>
      req.path === '/api/v1/people'
        ? jsonResponse({ items: req.query.get('q') ? [PERSON] : [], total: 10_000, page: 1, page_size: 20 })
        : jsonResponse([]),
    )
    const wrapper = mount(MemberDialog, {
      props: { visible: false, team: TEAM },
      global: { plugins: [pinia, i18n, ElementPlus], directives: { perm: vPerm } },
      attachTo: document.body,
    })
    await wrapper.setProps({ visible: true })
    await flushPromises()
    const people = () => seen.filter((r) => r.path === '/api/v1/people').map((r) => Object.fromEntries(r.query))
    // Opening the select asks for the first page; typing searches by name.
    ;(q('member-person')!.querySelector('.el-select__wrapper') as HTMLElement).click()
    await until(() => people().length === 1, 'the first page')
    expect(people()[0]).toEqual({ page: '1', page_size: '20' })
    await type('member-person', '李')
    await until(() => people().some((p) => p.q === '李'), 'the search')
    expect(people().at(-1)).toEqual({ q: '李', page: '1', page_size: '20' })
    const option = () =>
      [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((o) =>
        o.textContent?.includes('李明'),
      )
    await until(() => option() !== undefined, 'the hit')
    option()!.click()
    await until(() => !(q('member-submit') as HTMLButtonElement).disabled, 'a person chosen')
    expect(q('member-person')!.textContent).toContain('李明')
    wrapper.unmount()
  })

  it('offers no exception to someone who cannot manage teams', async () => {
    useAuthStore().me = me(['inspection:read'])
    const { wrapper } = await setup(() => CONFLICT(CONFLICT_EXTRA))
    await click('member-submit')
    await until(() => all('member-conflict').length === 2, 'the conflicts')
    expect(q('member-override')!.style.display).toBe('none')
    wrapper.unmount()
  })
})
