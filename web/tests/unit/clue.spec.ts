// The clue drawer offers exactly the steps the server lists in `transitions`, each through its endpoint.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import ClueDetailView from '@/views/clues/components/ClueDetail.vue'
import UnitView from '@/views/inspection/unit.vue'
import { vPerm } from '@/directives/perm'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'
import type { Me } from '@/api/auth'
import type { ClueDetail } from '@/api/clues'
import type { Transition } from '@/api/inspection'
import { DIRECTOR, jsonResponse, me, pageResponse, stubFetch, until, type Captured } from './helpers'

const NAMES: Record<string, string> = {
  CLUE: '问题线索',
  TO_FINDING: '转为问题',
  FORWARDED: '转交处理',
  DISMISSED: '了结',
  REPORTED: '已报告',
  TRANSFER_APPROVED: '已批准移交',
  TRANSFERRED: '已移交',
  DISPOSING: '处置中',
  RESULT_FED_BACK: '已反馈结果',
  CLOSED: '已销号',
}

function clue(state: string, to: string[]): ClueDetail {
  return {
    id: 5,
    round_unit_id: 3,
    org_id: 2,
    org_name: '江岭省教育厅',
    source: 'petition',
    source_name: '信访',
    summary: '反映基建处违规插手工程',
    subject_name: '王某',
    subject_post: '基建处处长',
    informant: null,
    informant_visible: false,
    facts: '多次打招呼干预招标',
    state,
    state_name: NAMES[state] ?? state,
    overdue: false,
    version: 4,
    events: [],
    transitions: to.map((x): Transition => ({ to: x, name: NAMES[x] ?? x })),
  }
}

let pinia: Pinia

function q(testid: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${testid}"]`)
}

/** Opens the drawer on a clue the server answers with `detail`; POSTs answer `after`. */
async function open(detail: ClueDetail, after: ClueDetail = detail) {
  const seen = stubFetch((req) => {
    if (req.method === 'GET' && req.path === '/api/v1/clues/5') return jsonResponse(detail)
    if (req.method === 'POST') return jsonResponse(after)
    return jsonResponse([])
  })
  const wrapper = mount(ClueDetailView, {
    props: { visible: false, clueId: 5 },
    global: { plugins: [pinia, i18n, ElementPlus], directives: { perm: vPerm } },
    attachTo: document.body,
  })
  await wrapper.setProps({ visible: true })
  await until(() => q('clue-detail-state') !== null, 'the clue')
  await flushPromises()
  return { wrapper, seen }
}

const posts = (seen: Captured[]) => seen.filter((r) => r.method === 'POST').map((r) => [r.path, r.body])

/** Which of the step controls the drawer shows. */
function shown(): string[] {
  const ids = ['clue-triage', 'clue-transfer', 'clue-receipt', 'clue-dispose', 'clue-close']
  const out = ids.filter((id) => q(id) !== null)
  for (const b of document.querySelectorAll<HTMLElement>('[data-testid^="clue-transition-"]'))
    out.push(b.dataset.testid!)
  return out
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  // Every permission: what is offered must come from the clue's `transitions`, not from these.
  useAuthStore().me = me(['inspection:read', 'fieldwork:write', 'clue:lead', 'clue:dispose'], {
    ...DIRECTOR,
    compartments: ['clue'],
  })
  document.body.innerHTML = ''
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('clue steps', () => {
  it('offers nothing when the server lists no transition, whatever the state and permissions', async () => {
    for (const state of [
      'RECEIVED',
      'CLUE',
      'REPORTED',
      'TRANSFER_APPROVED',
      'TRANSFERRED',
      'DISPOSING',
      'RESULT_FED_BACK',
    ]) {
      const { wrapper } = await open(clue(state, []))
      expect(shown(), state).toEqual([])
      wrapper.unmount()
      document.body.innerHTML = ''
    }
  })

  it('shows each listed transition as its own step', async () => {
    const cases: [string, string[], string[]][] = [
      ['RECEIVED', ['CLUE', 'TO_FINDING', 'FORWARDED', 'DISMISSED'], ['clue-triage']],
      ['CLUE', ['REPORTED'], ['clue-transition-REPORTED']],
      ['REPORTED', ['TRANSFER_APPROVED'], ['clue-transition-TRANSFER_APPROVED']],
      ['TRANSFER_APPROVED', ['TRANSFERRED'], ['clue-transfer']],
      ['TRANSFERRED', ['DISPOSING'], ['clue-receipt']],
      ['DISPOSING', ['RESULT_FED_BACK'], ['clue-dispose']],
      ['RESULT_FED_BACK', ['CLOSED'], ['clue-close']],
    ]
    for (const [state, to, expected] of cases) {
      const { wrapper } = await open(clue(state, to))
      expect(shown(), state).toEqual(expected)
      wrapper.unmount()
      document.body.innerHTML = ''
    }
  })

  it('offers only the triage decisions listed, and triages with the one chosen', async () => {
    const { wrapper, seen } = await open(clue('RECEIVED', ['DISMISSED', 'FORWARDED']), clue('DISMISSED', []))
    const options = [...q('clue-triage-decision')!.querySelectorAll<HTMLElement>('[data-testid^="clue-triage-"]')].map(
      (e) => e.dataset.testid,
    )
    expect(options).toEqual(['clue-triage-dismiss', 'clue-triage-forward'])
    q('clue-triage-submit')!.click()
    await until(() => posts(seen).length === 1, 'the triage')
    expect(posts(seen)).toEqual([['/api/v1/clues/5/triage', { decision: 'dismiss', comment: '' }]])
    wrapper.unmount()
  })

  it('approves the transfer through /transition with the comment and version', async () => {
    const { wrapper, seen } = await open(
      clue('REPORTED', ['TRANSFER_APPROVED']),
      clue('TRANSFER_APPROVED', ['TRANSFERRED']),
    )
    expect(q('clue-transition-TRANSFER_APPROVED')!.textContent).toContain('已批准移交')
    q('clue-transition-TRANSFER_APPROVED')!.click()
    await until(() => q('transition-confirm') !== null, 'the comment dialog')
    const textarea = document.querySelector(
      'textarea[data-testid="transition-comment"], [data-testid="transition-comment"] textarea',
    ) as HTMLTextAreaElement
    textarea.value = '领导小组同意移交'
    textarea.dispatchEvent(new Event('input'))
    await nextTick()
    q('transition-confirm')!.click()
    await until(() => posts(seen).length === 1, 'the transition')
    expect(posts(seen)).toEqual([
      ['/api/v1/clues/5/transition', { to: 'TRANSFER_APPROVED', comment: '领导小组同意移交', version: 4 }],
    ])
    wrapper.unmount()
  })

  it('signs for a clue through /receipt', async () => {
    const { wrapper, seen } = await open(clue('TRANSFERRED', ['DISPOSING']), clue('DISPOSING', ['RESULT_FED_BACK']))
    q('clue-receipt')!.click()
    await until(() => posts(seen).length === 1, 'the receipt')
    expect(posts(seen).map(([path]) => path)).toEqual(['/api/v1/clues/5/receipt'])
    wrapper.unmount()
  })

  it('closes (销号) a clue through /close and reloads it', async () => {
    const { wrapper, seen } = await open(clue('RESULT_FED_BACK', ['CLOSED']), clue('CLOSED', []))
    q('clue-close')!.click()
    await until(() => posts(seen).length === 1, 'the close')
    expect(posts(seen).map(([path]) => path)).toEqual(['/api/v1/clues/5/close'])
    await until(() => wrapper.emitted('changed') !== undefined, 'changed')
    await until(() => seen.filter((r) => r.method === 'GET' && r.path === '/api/v1/clues/5').length === 2, 'the reload')
    wrapper.unmount()
  })
})

describe('the clue tab of a round unit', () => {
  const UNIT = {
    id: 3,
    round_id: 1,
    round_name: '2026年第一轮巡察',
    org_id: 2,
    org_name: '江岭省教育厅',
    state: 'STATIONED',
    state_name: '进驻',
    finding_count: 0,
    clue_count: 1,
    version: 1,
    events: [],
    transitions: [],
  }

  async function tabs(me: Partial<Me>): Promise<{ names: string[]; active: string | null }> {
    const auth = useAuthStore()
    auth.me = { ...auth.me!, ...me }
    stubFetch((req) => {
      if (req.path === '/api/v1/round-units/3') return jsonResponse(UNIT)
      if (req.path === '/api/v1/inspection/states') return jsonResponse({ round_unit: [], finding: [], clue: [] })
      if (req.path === '/api/v1/clues') return pageResponse([])
      return jsonResponse([])
    })
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/inspection/units/:id', name: 'inspection-unit', component: UnitView },
        { path: '/inspection/rounds/:id', name: 'inspection-round', component: UnitView },
      ],
    })
    await router.push('/inspection/units/3?tab=clues')
    await router.isReady()
    const wrapper = mount(UnitView, {
      global: { plugins: [pinia, router, i18n, ElementPlus], directives: { perm: vPerm } },
      attachTo: document.body,
    })
    await until(() => document.querySelector('[data-testid="unit-tabs"]') !== null, 'the tabs')
    await flushPromises()
    const names = [...document.querySelectorAll<HTMLElement>('.el-tabs__item')].map((e) => e.id)
    const active = document.querySelector<HTMLElement>('.el-tabs__item.is-active')?.id ?? null
    wrapper.unmount()
    return { names, active }
  }

  it('is there for holders of the clue compartment', async () => {
    const { names, active } = await tabs({ compartments: ['clue', 'talk'] })
    expect(names).toContain('tab-clues')
    expect(active).toBe('tab-clues')
  })

  it('is not there without the compartment, whatever the roles and clue permissions', async () => {
    const { names, active } = await tabs({
      compartments: ['talk'],
      roles: [{ id: 2, code: 'inspector', name: '巡察组成员' }],
    })
    expect(names).not.toContain('tab-clues')
    expect(names).toContain('tab-fieldwork')
    expect(active).toBe('tab-overview')
  })
})
