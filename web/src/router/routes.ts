import type { RouteRecordRaw } from 'vue-router'
import { Document, House, OfficeBuilding, Setting, Tickets, User, UserFilled } from '@element-plus/icons-vue'
import AppLayout from '@/layout/AppLayout.vue'

// `meta.permission`: the permission a user needs to open the page (and to see its menu item).
// `meta.title`: i18n key of the page and menu title. `meta.menu`: shown in the sidebar.
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/login/index.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      {
        path: '',
        name: 'home',
        component: () => import('@/views/home/index.vue'),
        meta: { title: 'menu.home', icon: House, menu: true },
      },
      {
        path: 'orgs',
        name: 'orgs',
        component: () => import('@/views/orgs/index.vue'),
        meta: { title: 'menu.orgs', icon: OfficeBuilding, menu: true, permission: 'org:read' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/users/index.vue'),
        meta: { title: 'menu.users', icon: User, menu: true, permission: 'user:read' },
      },
      {
        path: 'roles',
        name: 'roles',
        component: () => import('@/views/roles/index.vue'),
        meta: { title: 'menu.roles', icon: UserFilled, menu: true, permission: 'role:read' },
      },
      {
        path: 'audit/operations',
        name: 'audit-operations',
        component: () => import('@/views/audit/operations.vue'),
        meta: { title: 'menu.auditOperations', icon: Document, menu: true, permission: 'audit:read' },
      },
      {
        path: 'audit/logins',
        name: 'audit-logins',
        component: () => import('@/views/audit/logins.vue'),
        meta: { title: 'menu.auditLogins', icon: Tickets, menu: true, permission: 'audit:read' },
      },
      {
        path: 'profile',
        name: 'profile',
        component: () => import('@/views/profile/index.vue'),
        meta: { title: 'menu.profile', icon: Setting, menu: true },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/error/NotFound.vue'),
        meta: { title: 'error.notFoundTitle' },
      },
    ],
  },
]
