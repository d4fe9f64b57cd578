// The frame: breadcrumbs from the route meta, 接口文档 only for the administrators, and users filtered by the
// organisation tree.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter, type RouteRecordRaw } from 'vue-router'
import AppLayout from '@/layout/AppLayout.vue'
import UsersView from '@/views/users/index.vue'
import { breadcrumbs, layoutChildren } from '@/layout/menu'
import { routes } from '@/router/routes'
import { vPerm } from '@/directives/perm'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'
import type { Me } from '@/api/auth'
import { jsonResponse, until as waitFor } from './helpers'

const until = (check: () => boolean, message?: string) => waitFor(check, message, 15_000)
const SLOW = 30_000
let pinia: Pinia

function me(permissions: string[]): Me {
  return {
    id: 1,
    username: 'u',
    display_name: '用户',
    org_id: 2,
    org_name: '江岭省委巡察办',
    roles: [],
    permissions,
    compartments: [],
    totp_enabled: false,
    must_change_password: false,
  }
}

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`)

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('breadcrumbs', () => {
  const children = layoutChildren(routes)
  const of = (name: string) => breadcrumbs(children.find((r) => r.name === name)!.meta!, children)

  it('reads the group, the list of a detail page and the page from the route meta', () => {
    expect(of('home')).toEqual([{ title: 'menu.home' }])
    expect(of('rect-ledger')).toEqual([
      { title: 'menu.home', path: '/' },
      { title: 'rect.menu.group' },
      { title: 'rect.menu.ledger' },
    ])
    expect(of('rect-item')).toEqual([
      { title: 'menu.home', path: '/' },
      { title: 'rect.menu.group' },
      { title: 'rect.menu.ledger', path: '/rect/ledger' },
      { title: 'rect.menu.item' },
    ])
    expect(of('profile')).toEqual([{ title: 'menu.home', path: '/' }, { title: 'menu.profile' }])
  })
})

describe('app frame', () => {
  async function frameAt(path: string, permissions: string[]) {
    vi.stubGlobal('fetch', async () => jsonResponse({ items: [], unread: 0 }))
    useAuthStore().me = me(permissions)
    const stub = { template: '<div />' }
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        {
          path: '/',
          component: AppLayout,
          children: layoutChildren(routes).map((r): RouteRecordRaw => ({
            path: r.path,
            name: r.name,
            meta: r.meta,
            component: stub,
          })),
        },
      ],
    })
    await router.push(path)
    await router.isReady()
    const wrapper = mount(AppLayout, {
      global: { plugins: [pinia, i18n, ElementPlus, router], directives: { perm: vPerm } },
      attachTo: document.body,
    })
    await flushPromises()
    return wrapper
  }

  it(
    'shows the breadcrumb of the page in the header',
    async () => {
      const wrapper = await frameAt('/rect/items/5', ['rect:read'])
      await until(() => q('app-breadcrumb') !== null, 'the breadcrumb')
      const steps = [...q('app-breadcrumb')!.querySelectorAll('.el-breadcrumb__inner')].map((e) =>
        e.textContent!.trim(),
      )
      expect(steps).toEqual(['工作台', '整改', '整改台账', '整改事项'])
      wrapper.unmount()
    },
    SLOW,
  )

  it(
    'offers 接口文档 to the administrators only',
    async () => {
      const staff = await frameAt('/', ['rect:read', 'inspection:read'])
      expect(q('app-api-docs')).toBeNull()
      staff.unmount()
      document.body.innerHTML = ''
      for (const admin of [['user:read', 'org:read'], ['role:read'], ['audit:read']]) {
        setActivePinia((pinia = createPinia()))
        const wrapper = await frameAt('/', admin)
        expect(q('app-api-docs'), admin.join()).not.toBeNull()
        wrapper.unmount()
        document.body.innerHTML = ''
      }
    },
    SLOW,
  )
})

describe('user management', () => {
  it(
    'filters the list by the unit chosen in the organisation tree',
    async () => {
      const urls: string[] = []
      vi.stubGlobal('fetch', async (input: Request) => {
        urls.push(input.url)
        const path = new URL(input.url).pathname
        if (path === '/api/v1/orgs/roots')
          return jsonResponse([{ id: 1, name: '江岭省', child_count: 0, parent_id: null }])
        if (path === '/api/v1/users') return jsonResponse({ items: [], total: 0, page: 1, page_size: 20 })
        return jsonResponse([])
      })
      useAuthStore().me = me(['user:read', 'org:read'])
      const router = createRouter({
        history: createMemoryHistory(),
        routes: [{ path: '/users', component: { template: '<div />' } }],
      })
      await router.push('/users')
      await router.isReady()
      const wrapper = mount(UsersView, {
        global: { plugins: [pinia, i18n, ElementPlus, router], directives: { perm: vPerm } },
        attachTo: document.body,
      })
      await until(() => q('org-node-1') !== null, 'the organisation tree')
      ;(q('org-node-1') as HTMLElement).click()
      await until(
        () =>
          urls.some((u) => new URL(u).pathname === '/api/v1/users' && new URL(u).searchParams.get('org_id') === '1'),
        'the filtered list',
      )
      await until(() => q('user-org-filter') !== null, 'the unit tag')
      expect(q('user-org-filter')!.textContent).toContain('江岭省')
      wrapper.unmount()
    },
    SLOW,
  )
})
