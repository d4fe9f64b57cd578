import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { vPerm } from '@/directives/perm'
import { useAuthStore } from '@/stores/auth'
import { buildMenu, groupMenu, layoutChildren } from '@/layout/menu'
import { routes } from '@/router/routes'
import type { Me } from '@/api/auth'
import { me as baseMe } from './helpers'

const me = (permissions: string[]): Me => baseMe(permissions, { org_id: 1, org_name: '单位' })

let pinia: Pinia

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
})

afterEach(() => {
  document.body.innerHTML = ''
})

const Buttons = defineComponent({
  directives: { perm: vPerm },
  template: `
    <div>
      <button data-t="write" v-perm="'org:write'">w</button>
      <button data-t="read" v-perm="'org:read'">r</button>
      <button data-t="any" v-perm="['user:write', 'role:write']">a</button>
      <button data-t="plain">p</button>
    </div>`,
})

function visible(wrapper: ReturnType<typeof mount>, t: string): boolean {
  return (wrapper.find(`[data-t="${t}"]`).element as HTMLElement).style.display !== 'none'
}

describe('v-perm', () => {
  it('hides what the user may not use and leaves the rest', () => {
    useAuthStore().me = me(['org:read', 'role:write'])
    const wrapper = mount(Buttons, { global: { plugins: [pinia] } })
    expect(visible(wrapper, 'write')).toBe(false)
    expect(visible(wrapper, 'read')).toBe(true)
    expect(visible(wrapper, 'any')).toBe(true)
    expect(visible(wrapper, 'plain')).toBe(true)
  })

  it('hides everything gated when nobody is signed in', () => {
    const wrapper = mount(Buttons, { global: { plugins: [pinia] } })
    expect(visible(wrapper, 'write')).toBe(false)
    expect(visible(wrapper, 'read')).toBe(false)
    expect(visible(wrapper, 'any')).toBe(false)
    expect(visible(wrapper, 'plain')).toBe(true)
  })

  it('follows a change of user', async () => {
    const auth = useAuthStore()
    auth.me = me(['org:read'])
    const wrapper = mount(Buttons, { global: { plugins: [pinia] } })
    expect(visible(wrapper, 'write')).toBe(false)
    auth.me = me(['org:read', 'org:write'])
    await nextTick()
    expect(visible(wrapper, 'write')).toBe(true)
    auth.clear()
    await nextTick()
    expect(visible(wrapper, 'write')).toBe(false)
    expect(visible(wrapper, 'read')).toBe(false)
  })
})

describe('menu', () => {
  const children = layoutChildren(routes)
  const menuFor = (perms: string[]) => {
    const set = new Set(perms)
    return buildMenu(
      children,
      (p) => !p || set.has(p),
      () => false,
    ).map((i) => i.path)
  }

  it('shows only the work-bench and personal settings without permissions', () => {
    expect(menuFor([])).toEqual(['/', '/profile'])
  })

  it('adds one item per granted permission, in route order', () => {
    expect(menuFor(['org:read'])).toEqual(['/', '/orgs', '/profile'])
    expect(menuFor(['audit:read'])).toEqual(['/', '/audit/operations', '/audit/logins', '/profile'])
    expect(menuFor(['org:read', 'user:read', 'role:read', 'audit:read'])).toEqual([
      '/',
      '/orgs',
      '/users',
      '/roles',
      '/audit/operations',
      '/audit/logins',
      '/profile',
    ])
  })

  it('does not treat a write permission as read', () => {
    expect(menuFor(['org:write', 'user:write'])).toEqual(['/', '/profile'])
  })

  it('uses the store permission check', () => {
    const auth = useAuthStore()
    auth.me = me(['user:read'])
    expect(
      buildMenu(
        children,
        (p) => auth.hasPerm(p),
        (c) => auth.hasCompartment(c),
      ).map((i) => i.title),
    ).toEqual(['menu.home', 'menu.users', 'menu.profile'])
  })
})

describe('menu groups', () => {
  const children = layoutChildren(routes)
  const entriesFor = (perms: string[], compartments: string[] = []) => {
    const set = new Set(perms)
    const held = new Set(compartments)
    return groupMenu(
      buildMenu(
        children,
        (p) => !p || set.has(p),
        (c) => held.has(c),
      ),
    ).map((e) => ('group' in e ? { group: e.group, items: e.items.map((i) => i.path) } : e.item.path))
  }

  it('folds the inspection pages into one group, shown by permission', () => {
    expect(entriesFor(['inspection:read', 'inspection:plan', 'team:manage', 'org:read'])).toEqual([
      '/',
      { group: 'menu.groupInspection', items: ['/inspection', '/coverage', '/stats'] },
      { group: 'menu.groupOrgs', items: ['/orgs', '/teams'] },
      '/profile',
    ])
  })

  it('follows the work: 计划 → 巡察 → 反馈 → 整改 → 评估 → 公开, then 线索, 组织与人员, 系统管理', () => {
    const all = [
      'inspection:read',
      'problem:read',
      'rect:read',
      'rect:supervise',
      'clue:dispose',
      'org:read',
      'team:manage',
      'user:read',
      'role:read',
      'audit:read',
    ]
    expect(entriesFor(all, ['clue'])).toEqual([
      '/',
      '/dashboard',
      { group: 'menu.groupInspection', items: ['/inspection', '/coverage', '/problems', '/stats'] },
      {
        group: 'rect.menu.group',
        items: ['/rect/units', '/rect/ledger', '/rect/supervision', '/rect/stats', '/rect/settings'],
      },
      { group: 'menu.groupAssessment', items: ['/assessment', '/disclosure'] },
      '/clues',
      { group: 'menu.groupOrgs', items: ['/orgs', '/teams'] },
      { group: 'menu.groupSystem', items: ['/users', '/roles', '/audit/operations', '/audit/logins'] },
      '/profile',
    ])
  })

  it('gives the inspected unit only its problem list, and the discipline body its clue disposal', () => {
    expect(entriesFor(['problem:read'])).toEqual([
      '/',
      { group: 'menu.groupInspection', items: ['/problems'] },
      '/profile',
    ])
    expect(entriesFor(['inspection:read', 'clue:dispose'], ['clue'])).toEqual([
      '/',
      { group: 'menu.groupInspection', items: ['/inspection', '/coverage', '/stats'] },
      '/clues',
      '/profile',
    ])
  })

  it('lists clue disposal only with the clue compartment as well as the permission', () => {
    expect(entriesFor(['inspection:read', 'clue:dispose'])).toEqual([
      '/',
      { group: 'menu.groupInspection', items: ['/inspection', '/coverage', '/stats'] },
      '/profile',
    ])
    expect(entriesFor(['inspection:read'], ['clue'])).toEqual([
      '/',
      { group: 'menu.groupInspection', items: ['/inspection', '/coverage', '/stats'] },
      '/profile',
    ])
  })

  it('follows the compartments of GET /auth/me, not the role codes', () => {
    const auth = useAuthStore()
    const paths = () =>
      buildMenu(
        children,
        (p) => auth.hasPerm(p),
        (c) => auth.hasCompartment(c),
      ).map((i) => i.path)
    auth.me = {
      ...me(['inspection:read', 'clue:dispose']),
      roles: [{ id: 3, code: 'discipline', name: '纪检监察机关' }],
    }
    expect(paths()).not.toContain('/clues')
    auth.me = { ...me(['inspection:read', 'clue:dispose']), compartments: ['clue'] }
    expect(paths()).toContain('/clues')
  })

  it('leaves the group out when none of its pages may be opened', () => {
    expect(entriesFor(['org:read'])).toEqual(['/', { group: 'menu.groupOrgs', items: ['/orgs'] }, '/profile'])
  })

  it('keeps the detail pages out of the menu', () => {
    const paths = buildMenu(
      children,
      () => true,
      () => true,
    ).map((i) => i.path)
    expect(paths.some((p) => p.includes(':id'))).toBe(false)
  })
})
