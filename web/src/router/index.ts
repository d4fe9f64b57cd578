import { createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router'
import type { Component } from 'vue'
import { ElMessage } from 'element-plus'
import { routes } from './routes'
import { useAuthStore } from '@/stores/auth'
import { i18n } from '@/locales'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session (the login page). */
    public?: boolean
    /** Permission needed to open the page; also filters the menu. */
    permission?: string
    /** Compartment needed to open the page (GET /auth/me `compartments`); also filters the menu. */
    compartment?: string
    /** i18n key of the title. */
    title?: string
    icon?: Component
    /** Listed in the sidebar menu. */
    menu?: boolean
    /** i18n key of the sidebar group (sub-menu) the item belongs to. */
    group?: string
    /** For pages outside the menu: the menu path to highlight. */
    activeMenu?: string
  }
}

/** Installs the guard: unauthenticated → /login; missing permission or compartment → home. */
export function installGuard(router: Router): void {
  router.beforeEach(async (to) => {
    const auth = useAuthStore()
    if (!auth.loaded) {
      try {
        await auth.fetchMe()
      } catch {
        // The server is unreachable: treat as signed out, the login page says why on submit.
        auth.clear()
      }
    }
    if (to.meta.public) {
      if (to.name === 'login' && auth.loggedIn) return { path: '/' }
      return true
    }
    if (!auth.loggedIn) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
    }
    if (auth.me?.must_change_password && to.name !== 'profile') {
      return { name: 'profile', query: { tab: 'password' } }
    }
    if (!auth.hasPerm(to.meta.permission) || (to.meta.compartment && !auth.hasCompartment(to.meta.compartment))) {
      ElMessage.warning(i18n.global.t('error.forbidden'))
      return { path: '/' }
    }
    return true
  })
  router.afterEach((to) => {
    const title = to.meta.title ? i18n.global.t(to.meta.title) : ''
    const app = i18n.global.t('app.name')
    document.title = title && title !== app ? `${title} - ${app}` : app
  })
}

export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({ history, routes })
  installGuard(router)
  return router
}
