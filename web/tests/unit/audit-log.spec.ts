// 操作日志 in words: Chinese action and object names, links to the record, people as 姓名（用户名） and never
// an empty "（）", and the 操作类型 filter sent as the server's action prefix.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import OperationsView from '@/views/audit/operations.vue'
import { useAuthStore } from '@/stores/auth'
import type { Me } from '@/api/auth'
import type { OperationLogEntry } from '@/api/audit'
import { AUDIT_ACTIONS, AUDIT_TARGETS, actionGroups, actionKey, actionLabel, targetRoute } from '@/utils/audit'
import { personLabel } from '@/utils/people'
import { jsonResponse, lookup, slowUntil as until, SLOW, freshScreenEachTest, screenGlobal } from './helpers'

function entry(over: Partial<OperationLogEntry> = {}): OperationLogEntry {
  return {
    seq: 1,
    at: '2026-12-01T02:00:00Z',
    category: 'operation',
    actor_id: 7,
    actor_name: 'zhangsan',
    actor_display_name: '张三',
    action: 'rect.progress',
    target_type: 'finding',
    target_id: '5',
    summary: '报送整改进展',
    ip: '127.0.0.1',
    ...over,
  }
}

const me: Me = {
  id: 1,
  username: 'audit',
  display_name: '审计员',
  org_id: 1,
  org_name: '江岭省委巡察办',
  roles: [],
  permissions: ['audit:read'],
  compartments: [],
  totp_enabled: false,
  must_change_password: false,
}

freshScreenEachTest()

describe('audit words', () => {
  it('names every action code and object kind the server records', () => {
    for (const code of AUDIT_ACTIONS) expect(typeof lookup(actionKey(code)), code).toBe('string')
    for (const type of AUDIT_TARGETS) expect(typeof lookup(`auditLog.targets.${type}`), type).toBe('string')
    for (const g of actionGroups()) expect(typeof lookup(`auditLog.modules.${g.module}`), g.module).toBe('string')
    expect(actionLabel('rect.plan.review')).toBe('审核整改方案')
    expect(actionLabel('something.new')).toBe('something.new')
  })

  it('shows a person as 姓名（用户名）, never an empty （）', () => {
    expect(personLabel('张三', 'zhangsan')).toBe('张三（zhangsan）')
    expect(personLabel(null, 'zhangsan')).toBe('zhangsan')
    expect(personLabel('', 'zhangsan')).toBe('zhangsan')
    expect(personLabel('system', 'system')).toBe('system')
    expect(personLabel('张三', '')).toBe('张三')
  })

  it('links a record to its page only where the front end has one', () => {
    expect(targetRoute(entry())).toEqual({ name: 'rect-item', params: { id: 5 } })
    expect(targetRoute(entry({ action: 'finding.update' }))).toBeNull()
    expect(targetRoute(entry({ action: 'round.update', target_type: 'round', target_id: '3' }))).toEqual({
      name: 'inspection-round',
      params: { id: 3 },
    })
    expect(targetRoute(entry({ action: 'rect.report', target_type: 'round_unit', target_id: '4' }))).toEqual({
      name: 'rect-plan',
      params: { id: 4 },
    })
    expect(targetRoute(entry({ action: 'org.update', target_type: 'org', target_id: '2' }))).toBeNull()
    expect(targetRoute(entry({ action: 'settings.update', target_type: 'settings', target_id: '1:rect' }))).toBeNull()
  })
})

describe('操作日志 page', () => {
  it(
    'shows Chinese names, people by name and links, and filters by 操作类型',
    async () => {
      const urls: string[] = []
      vi.stubGlobal('fetch', async (input: Request) => {
        urls.push(input.url)
        return new URL(input.url).pathname === '/api/v1/audit/operations'
          ? jsonResponse({
              items: [
                entry(),
                entry({
                  seq: 2,
                  actor_id: null,
                  actor_name: 'system',
                  actor_display_name: null,
                  action: 'org.update',
                  target_type: 'org',
                  target_id: '2',
                }),
              ],
              total: 2,
              page: 1,
              page_size: 20,
            })
          : jsonResponse({})
      })
      useAuthStore().me = me
      const stub = { template: '<div />' }
      const router = createRouter({
        history: createMemoryHistory(),
        routes: [
          { path: '/audit/operations', name: 'audit-operations', component: stub },
          { path: '/rect/items/:id', name: 'rect-item', component: stub },
        ],
      })
      await router.push('/audit/operations')
      await router.isReady()
      const wrapper = mount(OperationsView, {
        global: screenGlobal(router),
        attachTo: document.body,
      })
      const q = (id: string) => document.querySelector(`[data-testid="${id}"]`)
      await until(() => q('audit-actor-1') !== null, 'the entries')
      expect(q('audit-actor-1')!.textContent!.trim()).toBe('张三（zhangsan）')
      // The server's own actor (no account) in words.
      expect(q('audit-actor-2')!.textContent!.trim()).toBe('系统')
      expect(document.body.textContent).not.toContain('（）')
      expect(q('audit-action-1')!.textContent!.trim()).toBe('报送整改进展')
      expect(q('audit-action-2')!.textContent!.trim()).toBe('修改组织')
      const link = q('audit-target-1')!.querySelector('a')!
      expect(link.getAttribute('href')).toBe('/rect/items/5')
      expect(link.textContent).toContain('问题')
      expect(q('audit-target-2')!.querySelector('a')).toBeNull()
      expect(q('audit-target-2')!.textContent).toContain('组织')

      // 操作类型: a grouped dropdown; choosing an action sends it as the action prefix.
      ;(q('audit-action-filter')!.querySelector('.el-select__wrapper') as HTMLElement).click()
      await flushPromises()
      await until(
        () =>
          [...document.querySelectorAll('.el-select-dropdown__item')].some(
            (o) => o.textContent?.trim() === '发出督办函',
          ),
        'the options',
      )
      const option = [...document.querySelectorAll('.el-select-dropdown__item')].find(
        (o) => o.textContent?.trim() === '发出督办函',
      ) as HTMLElement
      option.click()
      await until(() => urls.some((u) => new URL(u).searchParams.get('action') === 'rect.letter'), 'the filtered load')
      expect(new URL(urls.at(-1)!).searchParams.get('page')).toBe('1')
      wrapper.unmount()
    },
    SLOW,
  )
})
