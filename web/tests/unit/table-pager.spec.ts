// TablePager: the pager under the lists: page sizes 20/50/100, the jumper only where asked, v-model of page and page
// size, and current-change / size-change passed on.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { nextTick } from 'vue'
import TablePager from '@/components/TablePager.vue'

function mountPager(props: Record<string, unknown> = {}) {
  return mount(TablePager, {
    props: { page: 1, pageSize: 20, total: 95, ...props },
    global: { plugins: [ElementPlus] },
  })
}

describe('TablePager', () => {
  it('renders a pager inside .pager, without a jumper unless asked', async () => {
    const plain = mountPager()
    expect(plain.classes()).toContain('pager')
    expect(plain.find('.el-pagination').exists()).toBe(true)
    expect(plain.find('.el-pagination__jump').exists()).toBe(false)
    expect(plain.find('.el-pagination__total').text()).toContain('95')
    const withJumper = mountPager({ jumper: true })
    expect(withJumper.find('.el-pagination__jump').exists()).toBe(true)
  })

  it('updates the page and passes current-change on', async () => {
    const w = mountPager()
    await w.find('.el-pager li:nth-child(2)').trigger('click')
    await nextTick()
    expect(w.emitted('update:page')?.[0]).toEqual([2])
    expect(w.emitted('current-change')?.[0]).toEqual([2])
  })

  it('offers the page sizes 20, 50 and 100 and passes size-change on', async () => {
    const w = mountPager()
    const pagination = w.findComponent({ name: 'ElPagination' })
    expect(pagination.props('pageSizes')).toEqual([20, 50, 100])
    pagination.vm.$emit('size-change', 50)
    pagination.vm.$emit('update:page-size', 50)
    await nextTick()
    expect(w.emitted('size-change')?.[0]).toEqual([50])
    expect(w.emitted('update:pageSize')?.[0]).toEqual([50])
  })
})
