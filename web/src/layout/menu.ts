import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

export interface MenuItem {
  path: string
  title: string
  icon?: Component
  permission?: string
}

/** The sidebar items the user may open, in route order. */
export function buildMenu(
  layoutChildren: readonly RouteRecordRaw[],
  hasPerm: (permission: string | undefined) => boolean,
): MenuItem[] {
  const items: MenuItem[] = []
  for (const route of layoutChildren) {
    const meta = route.meta
    if (!meta?.menu || !meta.title) continue
    if (!hasPerm(meta.permission)) continue
    items.push({
      path: '/' + route.path,
      title: meta.title,
      icon: meta.icon,
      permission: meta.permission,
    })
  }
  return items
}

/** The children of the layout route (the pages inside the frame). */
export function layoutChildren(routes: readonly RouteRecordRaw[]): readonly RouteRecordRaw[] {
  return routes.find((r) => r.path === '/')?.children ?? []
}
