// Category frames (三个聚焦, 四个落实, …) as cascader options: frame → category → sub-category.
import type { Category, Frame } from '@/api/findings'

export interface CategoryOption {
  /** A category id; a frame node has the string value `frame:<id>` and is never selectable itself. */
  value: number | string
  label: string
  disabled?: boolean
  children?: CategoryOption[]
}

function byCode(a: Category, b: Category): number {
  return a.code.localeCompare(b.code, 'en', { numeric: true })
}

/** The category tree of one frame (roots: no parent, or a parent that is not in the frame). */
function categoryTree(categories: readonly Category[]): CategoryOption[] {
  const ids = new Set(categories.map((c) => c.id))
  const children = new Map<number | null, Category[]>()
  for (const c of categories) {
    const parentId = c.parent_id ?? null
    const parent = parentId !== null && ids.has(parentId) ? parentId : null
    const list = children.get(parent) ?? []
    list.push(c)
    children.set(parent, list)
  }
  const build = (parent: number | null, seen: Set<number>): CategoryOption[] =>
    (children.get(parent) ?? [])
      .slice()
      .sort(byCode)
      .filter((c) => !seen.has(c.id))
      .map((c) => {
        const next = new Set(seen).add(c.id)
        const sub = build(c.id, next)
        return sub.length ? { value: c.id, label: c.name, children: sub } : { value: c.id, label: c.name }
      })
  return build(null, new Set())
}

/**
 * Cascader options from the frames: active frames, plus an inactive one when it holds `keepCategoryId`
 * (a finding written under an older frame keeps its category when edited). A frame without
 * categories is shown disabled.
 */
export function buildCategoryOptions(frames: readonly Frame[], keepCategoryId?: number | null): CategoryOption[] {
  return frames
    .filter((f) => f.active || (keepCategoryId != null && f.categories.some((c) => c.id === keepCategoryId)))
    .map((f) => {
      const tree = categoryTree(f.categories)
      const label = f.version_no > 1 ? `${f.name} (v${f.version_no})` : f.name
      return tree.length
        ? { value: `frame:${f.id}`, label, children: tree }
        : { value: `frame:${f.id}`, label, disabled: true }
    })
}

/** The labels from the frame down to a category (e.g. ['四个落实', '…']); empty when unknown. */
export function categoryPath(options: readonly CategoryOption[], categoryId: number): string[] {
  for (const option of options) {
    if (option.value === categoryId) return [option.label]
    if (option.children) {
      const sub = categoryPath(option.children, categoryId)
      if (sub.length) return [option.label, ...sub]
    }
  }
  return []
}
