import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import LoginView from '@/views/login/index.vue'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'
import { jsonResponse, problemResponse, stubFetch, until } from './helpers'

const ME = {
  id: 9,
  username: 'prov.director',
  display_name: '王主任',
  org_id: 1,
  org_name: '省委巡察办',
  roles: [{ id: 2, code: 'office_director', name: '巡察办主任' }],
  permissions: ['org:read', 'org:write'],
  compartments: ['clue', 'talk', 'reporter'],
  totp_enabled: true,
  must_change_password: false,
}

const Stub = defineComponent({ template: '<div>page</div>' })

async function setup() {
  const pinia = createPinia()
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginView },
      { path: '/', name: 'home', component: Stub },
      { path: '/orgs', name: 'orgs', component: Stub },
      { path: '/profile', name: 'profile', component: Stub },
    ],
  })
  await router.push('/login?redirect=/orgs')
  await router.isReady()
  const wrapper = mount(LoginView, {
    global: { plugins: [pinia, router, i18n, ElementPlus] },
    attachTo: document.body,
  })
  return { wrapper, router, pinia }
}

async function fill(wrapper: Awaited<ReturnType<typeof setup>>['wrapper'], testid: string, value: string) {
  await wrapper.find(`[data-testid="${testid}"]`).setValue(value)
}

async function submit(wrapper: Awaited<ReturnType<typeof setup>>['wrapper']) {
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

beforeEach(() => {
  document.body.innerHTML = ''
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('login view', () => {
  it('asks for the TOTP code when the server requires it, then signs in with it', async () => {
    const seen = stubFetch((req) => {
      const body = req.body as { totp_code?: string }
      if (!body.totp_code) return problemResponse(401, 'auth.totp_required', '请输入动态验证码')
      if (body.totp_code === '123456') return jsonResponse(ME)
      return problemResponse(401, 'auth.invalid_credentials', '动态验证码错误')
    })
    const { wrapper, router, pinia } = await setup()

    expect(wrapper.find('[data-testid="login-totp"]').exists()).toBe(false)
    await fill(wrapper, 'login-username', 'prov.director')
    await fill(wrapper, 'login-password', 'Xuncha@2026')
    await submit(wrapper)
    await until(() => wrapper.find('[data-testid="login-totp"]').exists(), 'the TOTP input')

    expect(seen).toHaveLength(1)
    expect(seen[0]!.path).toBe('/api/v1/auth/login')
    expect(seen[0]!.body).toEqual({ username: 'prov.director', password: 'Xuncha@2026' })
    // The password step is replaced by the code step; the user is not signed in yet.
    expect(wrapper.find('[data-testid="login-password"]').exists()).toBe(false)
    expect(useAuthStore(pinia).loggedIn).toBe(false)
    expect(router.currentRoute.value.name).toBe('login')

    // A malformed code is refused locally, without a request.
    await fill(wrapper, 'login-totp', '12ab')
    await submit(wrapper)
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toHaveLength(1)

    await fill(wrapper, 'login-totp', '123456')
    await submit(wrapper)
    await until(() => router.currentRoute.value.path === '/orgs', 'the redirect after login')

    expect(seen).toHaveLength(2)
    expect(seen[1]!.body).toEqual({ username: 'prov.director', password: 'Xuncha@2026', totp_code: '123456' })
    expect(useAuthStore(pinia).me?.display_name).toBe('王主任')
    wrapper.unmount()
  })

  it('shows the server detail for wrong credentials and stays on the password step', async () => {
    stubFetch(() => problemResponse(401, 'auth.invalid_credentials', '用户名或密码错误'))
    const { wrapper, router } = await setup()
    await fill(wrapper, 'login-username', 'someone')
    await fill(wrapper, 'login-password', 'wrong')
    await submit(wrapper)
    await until(() => wrapper.find('[data-testid="login-message"]').exists(), 'the error message')
    expect(wrapper.find('[data-testid="login-message"]').text()).toContain('用户名或密码错误')
    expect(wrapper.find('[data-testid="login-totp"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="login-password"]').exists()).toBe(true)
    expect(router.currentRoute.value.name).toBe('login')
    wrapper.unmount()
  })

  it('shows the lock-out detail (423)', async () => {
    stubFetch(() => problemResponse(423, 'auth.locked', '账号已锁定，请于 10:30 后再试'))
    const { wrapper } = await setup()
    await fill(wrapper, 'login-username', 'someone')
    await fill(wrapper, 'login-password', 'x')
    await submit(wrapper)
    await until(() => wrapper.find('[data-testid="login-message"]').exists(), 'the error message')
    expect(wrapper.find('[data-testid="login-message"]').text()).toContain('10:30')
    wrapper.unmount()
  })

  it('does not send the form when fields are empty', async () => {
    const seen = stubFetch(() => jsonResponse(ME))
    const { wrapper } = await setup()
    await submit(wrapper)
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toHaveLength(0)
    wrapper.unmount()
  })
})
