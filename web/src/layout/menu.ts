import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

export interface MenuItem {
  path: string
  title: string
  icon?: Component
  permission?: string
  /** Compartment the page needs besides the permission (clue, talk, reporter). */
  compartment?: string
  /** i18n key of the group (sub-menu) the item sits in. */
  group?: string
}

/** A sidebar entry: a plain item, or a group (sub-menu) of items. */
export type MenuEntry = { item: MenuItem } | { group: string; items: MenuItem[] }

/** The sidebar items the user may open (permission and compartment), in route order. */
export function buildMenu(
  layoutChildren: readonly RouteRecordRaw[],
  hasPerm: (permission: string | undefined) => boolean,
  hasCompartment: (compartment: string) => boolean,
): MenuItem[] {
  const items: MenuItem[] = []
  for (const route of layoutChildren) {
    const meta = route.meta
    if (!meta?.menu || !meta.title) continue
    if (!hasPerm(meta.permission)) continue
    if (meta.compartment && !hasCompartment(meta.compartment)) continue
    items.push({
      path: '/' + route.path,
      title: meta.title,
      icon: meta.icon,
      permission: meta.permission,
      compartment: meta.compartment,
      group: meta.group,
    })
  }
  return items
}

/** The children of the layout route (the pages inside the frame). */
export function layoutChildren(routes: readonly RouteRecordRaw[]): readonly RouteRecordRaw[] {
  return routes.find((r) => r.path === '/')?.children ?? []
}

/**
 * Folds the items of one group into a sub-menu placed where its first item is; a group with no
 * item the user may open is left out altogether.
 */
export function groupMenu(items: readonly MenuItem[]): MenuEntry[] {
  const entries: MenuEntry[] = []
  const groups = new Map<string, MenuItem[]>()
  for (const item of items) {
    if (!item.group) {
      entries.push({ item })
      continue
    }
    let members = groups.get(item.group)
    if (!members) {
      members = []
      groups.set(item.group, members)
      entries.push({ group: item.group, items: members })
    }
    members.push(item)
  }
  return entries
}
