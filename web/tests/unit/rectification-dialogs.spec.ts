// The rectification dialogs built on useFormDialog: nothing is sent while a check fails (the messages
// show under their fields), the call carries the form, and a success closes the dialog; each opening
// starts from a fresh form.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Component } from 'vue'
import ElementPlus from 'element-plus'
import { i18n } from '@/locales'
import OutcomeDialog from '@/views/rectification/components/OutcomeDialog.vue'
import ExplainDialog from '@/views/rectification/components/ExplainDialog.vue'
import WriteOffDialog from '@/views/rectification/components/WriteOffDialog.vue'
import { jsonResponse, problemResponse, stubFetch, until } from './helpers'

const q = (testid: string) => document.querySelector(`[data-testid="${testid}"]`)
const click = (testid: string) => (q(testid) as HTMLElement).click()
function type(testid: string, value: string): void {
  const input = q(testid) as HTMLInputElement | HTMLTextAreaElement
  input.value = value
  input.dispatchEvent(new Event('input'))
}

/** Waits until `text` is on the page (a field message appears through a transition). */
const shows = (text: string) => until(() => (document.body.textContent ?? '').includes(text), text)

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

/** Mounts a dialog closed, then opens it (the opening resets the form). */
async function open(component: Component, props: Record<string, unknown>): Promise<VueWrapper> {
  const wrapper = mount(component, {
    props: { visible: false, ...props },
    global: { plugins: [i18n, ElementPlus] },
    attachTo: document.body,
  })
  await wrapper.setProps({ visible: true })
  await flushPromises()
  return wrapper
}

describe('rectification dialogs', () => {
  it('outcome: checks the fields, sends the amount in fen, closes, and opens fresh', async () => {
    const seen = stubFetch(() => jsonResponse({ id: 4 }, 201))
    const wrapper = await open(OutcomeDialog, { findingId: 12 })
    type('outcome-amount', '1.5x')
    click('outcome-submit')
    await flushPromises()
    expect(seen).toEqual([])
    await shows('请填写具体内容')
    type('outcome-detail', ' 修订制度 ')
    type('outcome-amount', '1.5')
    click('outcome-submit')
    await until(() => seen.length === 1, 'the outcome')
    await flushPromises()
    expect(seen[0]!.path).toBe('/api/v1/rect/findings/12/outcomes')
    expect(seen[0]!.body).toEqual({ kind: 'rule', detail: '修订制度', count: 1, amount_fen: 150 })
    expect(wrapper.emitted('update:visible')).toEqual([[false]])
    expect(wrapper.emitted('done')).toHaveLength(1)
    await wrapper.setProps({ visible: false })
    await wrapper.setProps({ visible: true })
    await flushPromises()
    expect((q('outcome-detail') as HTMLTextAreaElement).value).toBe('')
    expect(document.body.textContent).not.toContain('请填写具体内容')
    wrapper.unmount()
  })

  it('explain: a stale version is reported and the dialog stays open', async () => {
    const seen = stubFetch(() => problemResponse(409, 'api.stale_version', '该记录已被他人修改，请刷新后重试'))
    const wrapper = await open(ExplainDialog, { findingId: 3, version: 7 })
    click('explain-submit')
    await flushPromises()
    expect(seen).toEqual([])
    await shows('请填写原因说明')
    type('explain-text', '资金缺口')
    click('explain-submit')
    await until(() => wrapper.emitted('stale') !== undefined, 'the stale event')
    expect(seen[0]!.body).toEqual({ outcome: 'not_completed', explanation: '资金缺口', version: 7 })
    expect(wrapper.emitted('update:visible')).toBeUndefined()
    expect(wrapper.emitted('done')).toBeUndefined()
    wrapper.unmount()
  })

  it('write-off: the rules and the evidence check both show before anything is sent', async () => {
    const seen = stubFetch(() => jsonResponse({ id: 9 }, 201))
    const wrapper = await open(WriteOffDialog, { findingId: 5, hasEvidence: false })
    click('writeoff-submit')
    await flushPromises()
    expect(seen).toEqual([])
    await shows('请填写整改情况说明')
    await shows('申请销号须提供至少一份佐证材料')
    await wrapper.setProps({ hasEvidence: true })
    type('writeoff-explanation', '已整改到位')
    click('writeoff-submit')
    await until(() => seen.length === 1, 'the write-off request')
    expect(seen[0]!.path).toBe('/api/v1/rect/findings/5/write-off')
    expect(seen[0]!.headers.get('Content-Type')).toMatch(/^multipart\/form-data/)
    await flushPromises()
    expect(wrapper.emitted('done')).toHaveLength(1)
    wrapper.unmount()
  })
})
