// Settings belong to an office and inherit downward: the settings pages say whether the values are
// the office's own or inherited (and from which office), and offer to restore inheritance only when
// the office has its own values.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElMessageBox } from 'element-plus'
import SettingsSource from '@/components/SettingsSource.vue'
import { i18n } from '@/locales'

function render(source: { kind: string; from_org_name?: string | null } | null, canRestore = true) {
  return mount(SettingsSource, { props: { source, canRestore }, global: { plugins: [i18n, ElementPlus] } })
}

describe('settings source', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('names the office the values are inherited from, and offers no restore', () => {
    const w = render({ kind: 'inherited', from_org_name: '江岭省' })
    expect(w.get('[data-testid="settings-source-label"]').text()).toBe('继承自江岭省')
    expect(w.find('[data-testid="settings-restore"]').exists()).toBe(false)
  })

  it('shows the defaults', () => {
    const w = render({ kind: 'default', from_org_name: null })
    expect(w.get('[data-testid="settings-source-label"]').text()).toBe('默认设置')
    expect(w.find('[data-testid="settings-restore"]').exists()).toBe(false)
  })

  it('marks the office own values and restores inheritance after a confirmation', async () => {
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const w = render({ kind: 'own', from_org_name: '青山县' })
    expect(w.get('[data-testid="settings-source-label"]').text()).toBe('本级设置')
    await w.get('[data-testid="settings-restore"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalled()
    expect(w.emitted('restore')).toHaveLength(1)
  })

  it('emits nothing when the confirmation is cancelled, and hides restore without the right', async () => {
    vi.spyOn(ElMessageBox, 'confirm').mockRejectedValue('cancel')
    const w = render({ kind: 'own' })
    await w.get('[data-testid="settings-restore"]').trigger('click')
    await flushPromises()
    expect(w.emitted('restore')).toBeUndefined()
    expect(render({ kind: 'own' }, false).find('[data-testid="settings-restore"]').exists()).toBe(false)
  })
})
