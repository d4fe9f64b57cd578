// useFormDialog: reset on opening, rules and checks before the call, the busy flag, and what an error
// answer does (shown; 422 field messages under their fields; a stale version reported).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref, type EffectScope } from 'vue'
import type { FormInstance } from 'element-plus'
import { ApiError } from '@/api/client'
import { useFormDialog, type FormDialogOptions } from '@/composables/useFormDialog'

let scope: EffectScope | undefined

afterEach(() => {
  scope?.stop()
  scope = undefined
  document.body.innerHTML = ''
})

type Form = { name: string; count: number }

function setup(over: Partial<FormDialogOptions<Form, 'name', string>> = {}) {
  const visible = ref(false)
  const save = vi.fn(async (f: Form) => `saved ${f.name}`)
  const done = vi.fn()
  scope = effectScope()
  const dialog = scope.run(() =>
    useFormDialog<Form, 'name', string>({
      visible: () => visible.value,
      initial: () => ({ name: '', count: 1 }),
      errors: ['name'],
      check: (f) => ({ name: f.name.trim() ? '' : 'required' }),
      save,
      done,
      ...over,
    }),
  )!
  return { visible, save, done, dialog }
}

function problem(status: number, code: string, extra: object = {}): ApiError {
  return new ApiError(status, { type: 'about:blank', title: code, status, code, detail: code, ...extra })
}

describe('useFormDialog', () => {
  it('resets the form and the messages on each opening', async () => {
    const onOpen = vi.fn()
    const { visible, dialog } = setup({ onOpen })
    visible.value = true
    await nextTick()
    dialog.form.name = '张三'
    dialog.form.count = 5
    dialog.errors.name = 'old message'
    visible.value = false
    await nextTick()
    expect(dialog.form.name).toBe('张三')
    visible.value = true
    await nextTick()
    expect(dialog.form).toEqual({ name: '', count: 1 })
    expect(dialog.errors.name).toBe('')
    expect(onOpen).toHaveBeenCalledTimes(2)
  })

  it('shows the check messages and sends nothing while they fail', async () => {
    const { dialog, save, done } = setup()
    await dialog.submit()
    expect(dialog.errors.name).toBe('required')
    expect(save).not.toHaveBeenCalled()
    dialog.form.name = ' 李四 '
    await dialog.submit()
    expect(dialog.errors.name).toBe('')
    expect(save).toHaveBeenCalledTimes(1)
    expect(done).toHaveBeenCalledWith('saved  李四 ')
  })

  it('runs the el-form rules first, and the checks as well when the rules fail', async () => {
    const validate = vi.fn().mockRejectedValueOnce(new Error('rules')).mockResolvedValue(true)
    const clearValidate = vi.fn()
    const formRef = ref({ validate, clearValidate } as unknown as FormInstance)
    const { dialog, save, visible } = setup({ formRef })
    await dialog.submit()
    expect(validate).toHaveBeenCalledTimes(1)
    expect(dialog.errors.name).toBe('required')
    expect(save).not.toHaveBeenCalled()
    dialog.form.name = 'x'
    await dialog.submit()
    expect(save).toHaveBeenCalledTimes(1)
    visible.value = true
    await nextTick()
    expect(clearValidate).toHaveBeenCalledTimes(1)
  })

  it('does nothing while not ready', async () => {
    const { dialog, save } = setup({ ready: () => false })
    await dialog.submit()
    expect(dialog.errors.name).toBe('')
    expect(save).not.toHaveBeenCalled()
  })

  it('is busy while the call runs, and done gets the answer', async () => {
    let finish: (value: string) => void = () => undefined
    const save = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)))
    const { dialog, done } = setup({ save })
    dialog.form.name = 'x'
    const running = dialog.submit()
    await nextTick()
    expect(dialog.saving.value).toBe(true)
    finish('answer')
    await running
    expect(dialog.saving.value).toBe(false)
    expect(done).toHaveBeenCalledWith('answer')
  })

  it('on an error answer: not done, field messages under their fields, a stale version reported', async () => {
    const onStale = vi.fn()
    const save = vi
      .fn<(f: Form) => Promise<string>>()
      .mockRejectedValueOnce(problem(422, 'validation.failed', { fields: [{ field: 'title', message: '名称过长' }] }))
      .mockRejectedValueOnce(problem(409, 'conflict.stale_version'))
    const { dialog, done } = setup({ save, onStale, serverFields: { title: 'name' } })
    dialog.form.name = 'x'
    await dialog.submit()
    expect(dialog.errors.name).toBe('名称过长')
    expect(dialog.saving.value).toBe(false)
    await dialog.submit()
    expect(onStale).toHaveBeenCalledTimes(1)
    expect(done).not.toHaveBeenCalled()
  })

  it('counts a call that answers nothing as done', async () => {
    const { dialog, done } = setup({ save: async () => undefined as unknown as string })
    dialog.form.name = 'x'
    await dialog.submit()
    expect(done).toHaveBeenCalledTimes(1)
  })

  it('keeps the 422 messages by field name until the next opening', async () => {
    const save = vi
      .fn<(f: Form) => Promise<string>>()
      .mockRejectedValueOnce(problem(422, 'validation.failed', { fields: [{ field: 'count', message: '数量不对' }] }))
    const { dialog, done, visible } = setup({ save })
    dialog.form.name = 'x'
    await dialog.submit()
    expect(dialog.fields).toEqual({ count: '数量不对' })
    expect(done).not.toHaveBeenCalled()
    visible.value = true
    await nextTick()
    expect(dialog.fields).toEqual({})
  })

  it('sends nothing when save gives no call', async () => {
    const { dialog, done } = setup({ save: () => undefined })
    dialog.form.name = 'x'
    await dialog.submit()
    expect(dialog.saving.value).toBe(false)
    expect(done).not.toHaveBeenCalled()
  })

  it('resets at once when created open with `immediate`', () => {
    const onOpen = vi.fn()
    scope = effectScope()
    const dialog = scope.run(() =>
      useFormDialog({
        visible: () => true,
        immediate: true,
        initial: () => ({ name: 'a' }),
        onOpen,
        save: async () => 1,
        done: vi.fn(),
      }),
    )!
    expect(dialog.form.name).toBe('a')
    expect(onOpen).toHaveBeenCalledTimes(1)
  })
})
