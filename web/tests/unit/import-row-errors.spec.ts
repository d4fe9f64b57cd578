// ImportRowErrors: nothing without row errors; otherwise the summary (or the dialog's "nothing imported" text) and a
// table of row, column and message under the dialog's test id.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import ImportRowErrors from '@/components/ImportRowErrors.vue'
import { i18n } from '@/locales'
import { until } from './helpers'

const rows = [{ row: 3, column: '单位编码', message: '编码重复' }]

function mountErrors(props: Partial<InstanceType<typeof ImportRowErrors>['$props']> = {}) {
  return mount(ImportRowErrors, {
    props: { rows, summary: '', texts: 'rect.upload', testid: 'x-errors', ...props },
    global: { plugins: [ElementPlus, i18n] },
  })
}

describe('ImportRowErrors', () => {
  it('renders nothing without row errors', () => {
    expect(mountErrors({ rows: [] }).find('.import-row-errors').exists()).toBe(false)
  })

  it('shows the summary and the rows under the test id', async () => {
    const w = mountErrors({ summary: '第 3 行有错误' })
    await until(() => w.text().includes('编码重复'), 'the error rows')
    expect(w.find('.el-alert').text()).toContain('第 3 行有错误')
    const table = w.find('[data-testid="x-errors"]')
    expect(table.exists()).toBe(true)
    expect(table.text()).toContain('行号')
    expect(table.text()).toContain('列名')
    expect(table.text()).toContain('错误说明')
    expect(table.text()).toContain('编码重复')
  })

  it("falls back to the dialog's failed text", () => {
    expect(mountErrors({ texts: 'org.import' }).find('.el-alert').text()).toContain('文件中有错误，未导入任何数据')
  })
})
