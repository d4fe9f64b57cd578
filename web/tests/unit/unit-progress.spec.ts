// The round unit's progress bar follows the rectification once the plan is approved: 集中整改 while problems
// are open, 整改完成 once all are written off.
import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import UnitOverview from '@/views/inspection/components/UnitOverview.vue'
import { useAuthStore } from '@/stores/auth'
import type { RoundUnitDetail } from '@/api/inspection'
import { unitProgress } from '@/utils/inspection'
import { jsonResponse, slowUntil as until, freshScreenEachTest, screenGlobal, me, stubRouterAt } from './helpers'

const LIFECYCLE = [
  ['PLANNED', '已列入计划'],
  ['FEEDBACK_DONE', '已反馈'],
  ['TRANSFERRED', '已移交'],
  ['RECTIFYING', '集中整改'],
  ['RECTIFICATION_REPORTED', '已报送整改报告'],
  ['ARCHIVED', '已归档'],
].map(([code, name]) => ({ code: code!, name: name! }))

freshScreenEachTest()

describe('unitProgress', () => {
  it('shows the unit state until the plan is approved', () => {
    expect(unitProgress(LIFECYCLE, 'FEEDBACK_DONE', null).active).toBe(1)
    const drafting = unitProgress(LIFECYCLE, 'FEEDBACK_DONE', { planState: 'SUBMITTED', closed: 0, total: 3 })
    expect(drafting.active).toBe(1)
    expect(drafting.steps[3]!.description).toBeUndefined()
  })

  it('moves to 集中整改 once the plan is approved, with the problems written off', () => {
    const p = unitProgress(LIFECYCLE, 'FEEDBACK_DONE', { planState: 'APPROVED', closed: 1, total: 3 })
    expect(p.active).toBe(3)
    expect(p.steps[3]!.name).toBe('集中整改')
    expect(p.steps[3]!.description).toBe('已销号 1 / 3')
  })

  it('finishes 集中整改 as 整改完成 when every problem is written off', () => {
    const p = unitProgress(LIFECYCLE, 'TRANSFERRED', { planState: 'APPROVED', closed: 3, total: 3 })
    expect(p.active).toBe(4)
    expect(p.steps[3]!.description).toBe('整改完成')
    // A unit already further on keeps its own state.
    expect(unitProgress(LIFECYCLE, 'ARCHIVED', { planState: 'APPROVED', closed: 3, total: 3 }).active).toBe(5)
  })
})

describe('unit overview', () => {
  it('reads the rectification of a fed-back unit for its progress bar', async () => {
    const unit: RoundUnitDetail = {
      id: 3,
      round_id: 1,
      round_name: '2025年第二轮巡察',
      org_id: 2,
      org_name: '江岭省财政厅',
      state: 'FEEDBACK_DONE',
      state_name: '已反馈',
      finding_count: 3,
      version: 4,
      events: [],
      transitions: [],
    }
    vi.stubGlobal('fetch', async (input: Request) => {
      const path = new URL(input.url).pathname
      if (path === '/api/v1/inspection/states') return jsonResponse({ round_unit: LIFECYCLE, finding: [], clue: [] })
      if (path === '/api/v1/rect/units/3/plan')
        return jsonResponse({
          plan: { id: 9, state: 'APPROVED' },
          unit: { id: 3, closed: 2, total: 3 },
          can_edit: false,
          can_review: false,
          review_bodies: [],
          revisions: [],
        })
      return jsonResponse([])
    })
    useAuthStore().me = me(['inspection:read', 'rect:read'], { org_id: 1 })
    const router = await stubRouterAt('/', { page: '/' })
    const wrapper = mount(UnitOverview, {
      props: { unit },
      global: screenGlobal(router),
      attachTo: document.body,
    })
    const step = () => document.querySelector('[data-testid="unit-step-RECTIFYING"]')
    await until(() => (step()?.textContent ?? '').includes('已销号 2 / 3'), 'the rectification step')
    expect(step()!.querySelector('.el-step__head')!.className).toContain('is-process')
    wrapper.unmount()
  }, 30_000)
})
