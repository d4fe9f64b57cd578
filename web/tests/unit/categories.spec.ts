import { describe, expect, it } from 'vitest'
import type { Frame } from '@/api/findings'
import { buildCategoryOptions, categoryPath } from '@/utils/categories'

const FOUR: Frame = {
  id: 2,
  code: 'SIGE_LUOSHI',
  name: '四个落实',
  version_no: 1,
  active: true,
  // Out of order on purpose: the tree is built from parent ids and sorted by code.
  categories: [
    { id: 23, parent_id: 20, code: '2.2', name: '监督责任' },
    { id: 10, parent_id: null, code: '1', name: '落实党的路线方针政策和党中央重大决策部署' },
    { id: 20, parent_id: null, code: '2', name: '落实全面从严治党战略部署' },
    { id: 22, parent_id: 20, code: '2.1', name: '主体责任' },
    { id: 30, parent_id: null, code: '10', name: '其他' },
  ],
}
const OLD: Frame = {
  id: 1,
  code: 'SANDA',
  name: '三大问题',
  version_no: 1,
  active: false,
  categories: [{ id: 5, parent_id: null, code: '1', name: '党的领导弱化' }],
}
const EMPTY: Frame = { id: 3, code: 'NEW', name: '新框架', version_no: 2, active: true, categories: [] }

describe('category cascader options', () => {
  it('builds frame → category → sub-category, sorted by code, with frames unselectable', () => {
    const options = buildCategoryOptions([FOUR])
    expect(options).toHaveLength(1)
    const frame = options[0]!
    expect(frame.value).toBe('frame:2')
    expect(frame.label).toBe('四个落实')
    expect(frame.children!.map((c) => c.value)).toEqual([10, 20, 30])
    const second = frame.children![1]!
    expect(second.children!.map((c) => [c.value, c.label])).toEqual([
      [22, '主体责任'],
      [23, '监督责任'],
    ])
    // Leaves have no children array (the cascader treats them as selectable ends).
    expect(frame.children![0]!.children).toBeUndefined()
  })

  it('leaves out retired frames unless they hold the category being edited', () => {
    expect(buildCategoryOptions([OLD, FOUR]).map((o) => o.label)).toEqual(['四个落实'])
    expect(buildCategoryOptions([OLD, FOUR], 5).map((o) => o.label)).toEqual(['三大问题', '四个落实'])
    expect(buildCategoryOptions([OLD, FOUR], 22).map((o) => o.label)).toEqual(['四个落实'])
  })

  it('disables a frame without categories and marks later versions', () => {
    const [empty] = buildCategoryOptions([EMPTY])
    expect(empty!.disabled).toBe(true)
    expect(empty!.children).toBeUndefined()
    expect(empty!.label).toBe('新框架 (v2)')
  })

  it('treats a category whose parent is missing as a root and survives a parent cycle', () => {
    const odd: Frame = {
      ...FOUR,
      categories: [
        { id: 1, parent_id: 99, code: 'a', name: 'orphan' },
        { id: 2, parent_id: 3, code: 'b', name: 'cycle-b' },
        { id: 3, parent_id: 2, code: 'c', name: 'cycle-c' },
      ],
    }
    const [frame] = buildCategoryOptions([odd])
    expect(frame!.children!.map((c) => c.label)).toEqual(['orphan'])
  })

  it('finds the label path of a category', () => {
    const options = buildCategoryOptions([FOUR])
    expect(categoryPath(options, 23)).toEqual(['四个落实', '落实全面从严治党战略部署', '监督责任'])
    expect(categoryPath(options, 999)).toEqual([])
  })
})
