// People on records by name: the server's own actors (demo loader, first start) in words, never a code name.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import EventTimeline from '@/components/EventTimeline.vue'
import { i18n } from '@/locales'
import { personLabel, personName } from '@/utils/people'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('people', () => {
  it('names the server actors in words and leaves people as they are', () => {
    expect(personName('demo')).toBe('演示数据')
    expect(personName('system')).toBe('系统')
    expect(personName('init')).toBe('系统初始化')
    expect(personName('王建国')).toBe('王建国')
    expect(personName(null)).toBe('')
  })

  it('shows an audit actor without an account by its words, with one by 姓名（用户名）', () => {
    expect(personLabel(null, 'demo', null)).toBe('演示数据')
    expect(personLabel('王建国', 'wangjg', 7)).toBe('王建国（wangjg）')
    expect(personLabel(null, 'wangjg', 7)).toBe('wangjg')
  })

  it('shows the timeline by person name', () => {
    const wrapper = mount(EventTimeline, {
      props: {
        events: [
          {
            at: '2026-01-01T00:00:00Z',
            actor_name: 'demo',
            comment: '',
            from: null,
            from_name: null,
            to: 'PLANNED',
            to_name: '已列入计划',
          },
          {
            at: '2026-01-02T00:00:00Z',
            actor_name: '王建国',
            comment: '',
            from: 'PLANNED',
            from_name: '已列入计划',
            to: 'NOTIFIED',
            to_name: '已通知',
          },
        ],
      },
      global: { plugins: [i18n, ElementPlus] },
      attachTo: document.body,
    })
    const text = document.body.textContent ?? ''
    expect(text).toContain('演示数据')
    expect(text).toContain('王建国')
    expect(text).not.toMatch(/\bdemo\b/)
    wrapper.unmount()
  })
})
