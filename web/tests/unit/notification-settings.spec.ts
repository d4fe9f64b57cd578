// The notification e-mail address on the profile page: the address check before sending, the
// in-app-only hint when the server sends no e-mail, and the server's field message on the field.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import NotificationSettingsCard from '@/views/profile/components/NotificationSettingsCard.vue'
import { i18n } from '@/locales'
import { MAX_EMAIL_LENGTH, emailError, emailValue } from '@/utils/email'
import { jsonResponse, problemResponse, stubFetch, until } from './helpers'

describe('notification e-mail address', () => {
  it('accepts ordinary addresses, trimmed', () => {
    for (const ok of [
      'name@example.gov.cn',
      'zhang.san+rect@mail.example.com',
      '  li_si@a-b.cn  ',
      'x@sub.domain.example',
    ]) {
      expect(emailError(ok), ok).toBeNull()
    }
    expect(emailValue('  li_si@a-b.cn  ')).toBe('li_si@a-b.cn')
  })

  it('allows a blank address (in-app only), sent as null', () => {
    expect(emailError('')).toBeNull()
    expect(emailError('   ')).toBeNull()
    expect(emailError(null)).toBeNull()
    expect(emailValue('   ')).toBeNull()
    expect(emailValue(undefined)).toBeNull()
  })

  it('refuses malformed addresses with a Chinese message', () => {
    for (const bad of [
      'name',
      'name@',
      '@example.cn',
      'name@example',
      'na me@example.cn',
      'a@b@example.cn',
      'name@-example.cn',
      'name@example-.cn',
      'name@example..cn',
      'name@.example.cn',
      'name@example.cn.',
    ]) {
      expect(emailError(bad), bad).toBe('邮箱地址格式不正确，请填写如 name@example.gov.cn 的地址')
    }
  })

  it('refuses an address longer than the server takes', () => {
    const long = `${'a'.repeat(MAX_EMAIL_LENGTH - '@example.cn'.length + 1)}@example.cn`
    expect(long.length).toBe(MAX_EMAIL_LENGTH + 1)
    expect(emailError(long)).toBe(`邮箱地址不能超过 ${MAX_EMAIL_LENGTH} 个字符`)
    expect(emailError(long.slice(1))).toBeNull()
  })
})

describe('notification settings card', () => {
  const q = (testid: string) => document.querySelector(`[data-testid="${testid}"]`)

  beforeEach(() => {
    setActivePinia(createPinia())
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  async function open(handler: Parameters<typeof stubFetch>[0]) {
    const seen = stubFetch(handler)
    const wrapper = mount(NotificationSettingsCard, {
      global: { plugins: [i18n, ElementPlus] },
      attachTo: document.body,
    })
    await until(() => seen.length > 0, 'the settings')
    await flushPromises()
    return { wrapper, seen }
  }

  /** The input itself (el-input passes the test id on to it). */
  function emailInput(): HTMLInputElement {
    const el = q('notification-email')
    return (el?.matches('input') ? el : el?.querySelector('input')) as HTMLInputElement
  }

  function typeEmail(value: string): void {
    const input = emailInput()
    input.value = value
    input.dispatchEvent(new Event('input'))
  }

  it('shows the address and hints at in-app only when the server sends no e-mail', async () => {
    const { wrapper } = await open(() => jsonResponse({ email: 'name@example.gov.cn', mail_enabled: false }))
    expect(emailInput().value).toBe('name@example.gov.cn')
    expect(q('notification-mail-disabled')?.textContent).toContain('只发送系统内通知')
    wrapper.unmount()
  })

  it('shows no hint when e-mail is sent, and saves a cleared address as null', async () => {
    const { wrapper, seen } = await open((req) =>
      req.method === 'PUT'
        ? jsonResponse({ email: null, mail_enabled: true })
        : jsonResponse({ email: 'old@example.cn', mail_enabled: true }),
    )
    expect(q('notification-mail-disabled')).toBeNull()
    typeEmail('  ')
    ;(q('notification-save') as HTMLElement).click()
    await until(() => seen.some((r) => r.method === 'PUT'), 'the save')
    const put = seen.find((r) => r.method === 'PUT')!
    expect(put.path).toBe('/api/v1/notifications/settings')
    expect(put.body).toEqual({ email: null })
    wrapper.unmount()
  })

  it('sends nothing for a malformed address and says why on the field', async () => {
    const { wrapper, seen } = await open(() => jsonResponse({ email: null, mail_enabled: true }))
    typeEmail('name@example')
    ;(q('notification-save') as HTMLElement).click()
    await until(() => (document.body.textContent ?? '').includes('邮箱地址格式不正确'), 'the field message')
    expect(seen.filter((r) => r.method === 'PUT')).toEqual([])
    wrapper.unmount()
  })

  it("shows the server's 422 field message on the field", async () => {
    const { wrapper, seen } = await open((req) =>
      req.method === 'PUT'
        ? problemResponse(422, 'validation.failed', '提交的内容有误', {
            fields: [{ field: 'email', message: '邮箱域名不接受' }],
          })
        : jsonResponse({ email: null, mail_enabled: true }),
    )
    typeEmail('name@example.gov.cn')
    ;(q('notification-save') as HTMLElement).click()
    await until(() => seen.some((r) => r.method === 'PUT'), 'the save')
    expect(seen.find((r) => r.method === 'PUT')!.body).toEqual({ email: 'name@example.gov.cn' })
    await until(
      () =>
        (q('notification-settings')?.querySelector('.el-form-item__error')?.textContent ?? '').includes(
          '邮箱域名不接受',
        ),
      'the server message',
    )
    wrapper.unmount()
  })
})
