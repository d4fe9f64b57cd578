// useLoad: loading while the task runs, the task's error shown (never thrown), loading off afterwards.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useLoad } from '@/composables/useLoad'

const shown = vi.hoisted(() => vi.fn())
vi.mock('@/utils/errors', () => ({ showError: shown }))

afterEach(() => shown.mockReset())

describe('useLoad', () => {
  it('is loading while the task runs and not afterwards', async () => {
    let finish!: () => void
    const { loading, load } = useLoad(() => new Promise<void>((resolve) => (finish = resolve)))
    expect(loading.value).toBe(false)
    const done = load()
    expect(loading.value).toBe(true)
    finish()
    await done
    expect(loading.value).toBe(false)
    expect(shown).not.toHaveBeenCalled()
  })

  it('shows the error of a failed task and stops loading', async () => {
    const failure = new Error('boom')
    const { loading, load } = useLoad(async () => {
      throw failure
    })
    await expect(load()).resolves.toBeUndefined()
    expect(shown).toHaveBeenCalledWith(failure)
    expect(loading.value).toBe(false)
  })
})
