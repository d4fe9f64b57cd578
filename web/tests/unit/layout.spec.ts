// The frame: breadcrumbs from the route meta, 接口文档 only for the administrators, and users filtered by the
// organisation tree.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type RouteRecordRaw } from 'vue-router'
import AppLayout from '@/layout/AppLayout.vue'
import UsersView from '@/views/users/index.vue'
import { breadcrumbs, layoutChildren } from '@/layout/menu'
import { routes } from '@/router/routes'
import { useAuthStore } from '@/stores/auth'
import { jsonResponse, slowUntil as until, SLOW, freshScreenEachTest, screenGlobal, me } from './helpers'

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`)

freshScreenEachTest()

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
    vi.stubGlobal('fetch', async () => jsonResponse({ items: [], total: 0, page: 1, page_size: 30, unread: 0 }))
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
      global: screenGlobal(router),
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
        setActivePinia(createPinia())
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
        global: screenGlobal(router),
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
