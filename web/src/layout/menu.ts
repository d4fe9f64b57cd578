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

/** One step of the header's breadcrumb: an i18n key, and a link when it is a page of its own. */
export interface Crumb {
  title: string
  path?: string
}

/**
 * The breadcrumb of a page from the route meta: 工作台, the sidebar group, the list a detail page belongs
 * to (its `activeMenu`), the page itself.
 */
export function breadcrumbs(
  meta: { title?: string; group?: string; activeMenu?: string },
  layoutChildren: readonly RouteRecordRaw[],
): Crumb[] {
  const home: Crumb = { title: 'menu.home', path: '/' }
  if (!meta.title || meta.title === home.title) return [{ title: home.title }]
  const crumbs: Crumb[] = [home]
  const parent = meta.activeMenu ? layoutChildren.find((r) => '/' + r.path === meta.activeMenu) : undefined
  const group = meta.group ?? parent?.meta?.group
  if (group) crumbs.push({ title: group })
  if (parent?.meta?.title) crumbs.push({ title: parent.meta.title, path: meta.activeMenu })
  crumbs.push({ title: meta.title })
  return crumbs
}

/** The permissions only the three administrators hold (三员: system, security, audit). */
export const ADMIN_PERMISSIONS = ['user:read', 'role:read', 'audit:read'] as const
