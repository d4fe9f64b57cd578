import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { vPerm } from '@/directives/perm'
import { useAuthStore } from '@/stores/auth'
import { buildMenu, layoutChildren } from '@/layout/menu'
import { routes } from '@/router/routes'
import type { Me } from '@/api/auth'

function me(permissions: string[]): Me {
  return {
    id: 1,
    username: 'u',
    display_name: '用户',
    org_id: 1,
    org_name: '单位',
    roles: [],
    permissions,
    totp_enabled: false,
    must_change_password: false,
  }
}

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
    return buildMenu(children, (p) => !p || set.has(p)).map((i) => i.path)
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
    expect(buildMenu(children, (p) => auth.hasPerm(p)).map((i) => i.title)).toEqual([
      'menu.home',
      'menu.users',
      'menu.profile',
    ])
  })
})
