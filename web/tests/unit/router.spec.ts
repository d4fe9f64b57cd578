import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter } from '@/router'
import { jsonResponse, problemResponse, stubFetch } from './helpers'

function me(permissions: string[], must_change_password = false, compartments: string[] = []) {
  return {
    id: 1,
    username: 'u',
    display_name: '用户',
    org_id: 1,
    org_name: '单位',
    roles: [],
    permissions,
    compartments,
    totp_enabled: false,
    must_change_password,
  }
}

beforeEach(() => {
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('router guard', () => {
  it('sends a visitor without a session to /login, remembering the page', async () => {
    stubFetch(() => problemResponse(401, 'auth.unauthenticated', '请先登录'))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/users?page=2')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/users?page=2')
  })

  it('lets a user open the pages their permissions allow, and no others', async () => {
    const seen = stubFetch(() => jsonResponse(me(['org:read'])))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/orgs')
    expect(router.currentRoute.value.name).toBe('orgs')
    await router.push('/roles')
    expect(router.currentRoute.value.path).toBe('/')
    // The session is probed once, not on every navigation.
    expect(seen.filter((r) => r.path === '/api/v1/auth/me')).toHaveLength(1)
  })

  it('opens a compartmented page only to holders of the compartment, whatever the permissions', async () => {
    stubFetch(() => jsonResponse(me(['inspection:read', 'clue:dispose'])))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/clues')
    expect(router.currentRoute.value.path).toBe('/')
  })

  it('opens the clue disposal page with the permission and the clue compartment', async () => {
    stubFetch(() => jsonResponse(me(['inspection:read', 'clue:dispose'], false, ['clue'])))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/clues')
    expect(router.currentRoute.value.name).toBe('clues')
  })

  it('keeps a user who must change the password on the password page', async () => {
    stubFetch(() => jsonResponse(me(['org:read'], true)))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/orgs')
    expect(router.currentRoute.value.name).toBe('profile')
    expect(router.currentRoute.value.query.tab).toBe('password')
  })

  it('sends a signed-in user away from the login page', async () => {
    stubFetch(() => jsonResponse(me([])))
    const router = createAppRouter(createMemoryHistory())
    await router.push('/login')
    expect(router.currentRoute.value.path).toBe('/')
  })
})
