import type { RouteRecordRaw } from 'vue-router'
import {
  Bell as BellIcon,
  Calendar,
  Connection,
  EditPen,
  Histogram,
  Notebook,
  Odometer,
  Tools,
  DataAnalysis,
  Document,
  House,
  List,
  OfficeBuilding,
  PieChart,
  Setting,
  Stamp,
  Iphone,
  Promotion,
  Tickets,
  User,
  UserFilled,
  Avatar,
  Guide,
  Finished,
} from '@element-plus/icons-vue'
import AppLayout from '@/layout/AppLayout.vue'
import { assessmentChildren, publicRoutes } from './routes-assessment'

// `meta.permission`: the permission a user needs to open the page (and to see its menu item);
// `meta.compartment`: the compartment it needs besides (GET /auth/me `compartments`).
// `meta.title`: i18n key of the page and menu title. `meta.menu`: shown in the sidebar.
// `meta.group`: i18n key of the sidebar group the item sits in (巡察工作); `meta.activeMenu`: the menu
// item a detail page highlights. The order of the children is the order of the sidebar.
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/login/index.vue'),
    meta: { public: true, title: 'login.title' },
  },
  ...publicRoutes,
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
      // 领导驾驶舱: the figures of a subtree, drilled down by child, each opening the list it counts.
      {
        path: 'dashboard',
        name: 'dashboard',
        component: () => import('@/views/dashboard/index.vue'),
        meta: { title: 'menu.dashboard', icon: Odometer, menu: true, permission: 'rect:read' },
      },
      // The sidebar follows the work: 计划 → 巡察 → 反馈 → 整改 → 评估 → 公开, then 线索, 组织与人员, 系统管理.
      // 计划 and 巡察: the terms, rounds and their units (a round's plan and its inspection), the coverage.
      {
        path: 'inspection',
        name: 'inspection',
        component: () => import('@/views/inspection/index.vue'),
        meta: {
          title: 'menu.rounds',
          icon: Calendar,
          menu: true,
          permission: 'inspection:read',
          group: 'menu.groupInspection',
        },
      },
      {
        path: 'inspection/rounds/:id(\\d+)',
        name: 'inspection-round',
        component: () => import('@/views/inspection/round.vue'),
        meta: { title: 'menu.roundDetail', permission: 'inspection:read', activeMenu: '/inspection' },
      },
      {
        path: 'inspection/units/:id(\\d+)',
        name: 'inspection-unit',
        component: () => import('@/views/inspection/unit.vue'),
        meta: { title: 'menu.unitDetail', permission: 'inspection:read', activeMenu: '/inspection' },
      },
      {
        path: 'coverage',
        name: 'coverage',
        component: () => import('@/views/coverage/index.vue'),
        meta: {
          title: 'menu.coverage',
          icon: PieChart,
          menu: true,
          permission: 'inspection:read',
          group: 'menu.groupInspection',
        },
      },
      // 反馈: the problems fed back to the unit; the inspection figures.
      {
        path: 'problems',
        name: 'problems',
        component: () => import('@/views/problems/index.vue'),
        meta: {
          title: 'menu.problems',
          icon: List,
          menu: true,
          permission: 'problem:read',
          group: 'menu.groupInspection',
        },
      },
      {
        path: 'stats',
        name: 'stats',
        component: () => import('@/views/stats/index.vue'),
        meta: {
          title: 'menu.stats',
          icon: DataAnalysis,
          menu: true,
          permission: 'inspection:read',
          group: 'menu.groupInspection',
        },
      },
      // 上下联动: tasks issued to lower offices, focus points pushed down (docs/network.md).
      {
        path: 'linkage',
        name: 'linkage',
        component: () => import('@/views/linkage/index.vue'),
        meta: {
          title: 'menu.linkage',
          icon: Connection,
          menu: true,
          permission: 'inspection:office',
          group: 'menu.groupInspection',
        },
      },
      // 整改 (rectification): docs/design/rectification-api.md. The plan first, then the ledger.
      {
        path: 'rect/units',
        name: 'rect-units',
        component: () => import('@/views/rectification/units.vue'),
        meta: {
          title: 'rect.menu.units',
          icon: EditPen,
          menu: true,
          permission: 'rect:read',
          group: 'rect.menu.group',
        },
      },
      {
        path: 'rect/units/:id(\\d+)/plan',
        name: 'rect-plan',
        component: () => import('@/views/rectification/plan.vue'),
        meta: { title: 'rect.menu.plan', permission: 'rect:read', activeMenu: '/rect/units' },
      },
      {
        path: 'rect/ledger',
        name: 'rect-ledger',
        component: () => import('@/views/rectification/ledger.vue'),
        meta: {
          title: 'rect.menu.ledger',
          icon: Notebook,
          menu: true,
          permission: 'rect:read',
          group: 'rect.menu.group',
        },
      },
      {
        path: 'rect/items/:id(\\d+)',
        name: 'rect-item',
        component: () => import('@/views/rectification/item.vue'),
        meta: { title: 'rect.menu.item', permission: 'rect:read', activeMenu: '/rect/ledger' },
      },
      {
        path: 'rect/supervision',
        name: 'rect-supervision',
        component: () => import('@/views/rectification/supervision.vue'),
        meta: {
          title: 'rect.menu.supervision',
          icon: BellIcon,
          menu: true,
          permission: 'rect:supervise',
          group: 'rect.menu.group',
        },
      },
      {
        path: 'rect/stats',
        name: 'rect-stats',
        component: () => import('@/views/rectification/stats.vue'),
        meta: {
          title: 'rect.menu.stats',
          icon: Histogram,
          menu: true,
          permission: 'rect:read',
          group: 'rect.menu.group',
        },
      },
      {
        path: 'rect/settings',
        name: 'rect-settings',
        component: () => import('@/views/rectification/settings.vue'),
        meta: {
          title: 'rect.menu.settings',
          icon: Tools,
          menu: true,
          permission: 'rect:supervise',
          group: 'rect.menu.group',
        },
      },
      // 评估 and 公开: routes-assessment.ts.
      ...assessmentChildren,
      // 线索: clue disposal (the clue compartment).
      // 指导督导: a higher office's visits to the offices below (guidance:lead); the problems fed back to the
      // caller's office and their 销号 (guidance:rectify; the visiting office verifies there too).
      {
        path: 'guidance',
        name: 'guidance',
        component: () => import('@/views/guidance/index.vue'),
        meta: { title: 'guidance.menu', icon: Guide, menu: true, permission: 'guidance:lead' },
      },
      {
        path: 'guidance/visits/:id(\\d+)',
        name: 'guidance-visit',
        component: () => import('@/views/guidance/visit.vue'),
        meta: { title: 'guidance.menuVisit', permission: 'guidance:lead', activeMenu: '/guidance' },
      },
      {
        path: 'guidance/problems',
        name: 'guidance-problems',
        component: () => import('@/views/guidance/problems.vue'),
        meta: { title: 'guidance.menuProblems', icon: Finished, menu: true, permission: 'guidance:rectify' },
      },
      {
        path: 'clues',
        name: 'clues',
        component: () => import('@/views/clues/index.vue'),
        meta: { title: 'menu.clueDisposal', icon: Stamp, menu: true, permission: 'clue:dispose', compartment: 'clue' },
      },
      // The clues a figure of the dashboard counts (?org_id=, ?state=): every clue the user may see.
      {
        path: 'clues/register',
        name: 'clue-register',
        component: () => import('@/views/clues/index.vue'),
        meta: { title: 'menu.clueRegister', compartment: 'clue', activeMenu: '/dashboard' },
      },
      // 码上巡察: the team's queue of reports from the public (the clue compartment).
      {
        path: 'public-reports',
        name: 'public-reports',
        component: () => import('@/views/publicReports/index.vue'),
        meta: {
          title: 'menu.publicReports',
          icon: Iphone,
          menu: true,
          permission: 'fieldwork:write',
          compartment: 'clue',
        },
      },
      // 转办事项: the responsible unit's inbox of 码上巡察 reports the team transferred to it (rect:write).
      {
        path: 'report-transfers',
        name: 'report-transfers',
        component: () => import('@/views/reportTransfers/index.vue'),
        meta: { title: 'menu.reportTransfers', icon: Promotion, menu: true, permission: 'rect:write' },
      },
      // 组织与人员: the organisation tree, the teams and the talent pool.
      {
        path: 'orgs',
        name: 'orgs',
        component: () => import('@/views/orgs/index.vue'),
        meta: { title: 'menu.orgs', icon: OfficeBuilding, menu: true, permission: 'org:read', group: 'menu.groupOrgs' },
      },
      {
        path: 'teams',
        name: 'teams',
        component: () => import('@/views/teams/index.vue'),
        meta: { title: 'menu.teams', icon: Avatar, menu: true, permission: 'team:manage', group: 'menu.groupOrgs' },
      },
      // 系统管理: accounts, roles, the logs; personal settings last.
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/users/index.vue'),
        meta: { title: 'menu.users', icon: User, menu: true, permission: 'user:read', group: 'menu.groupSystem' },
      },
      {
        path: 'roles',
        name: 'roles',
        component: () => import('@/views/roles/index.vue'),
        meta: { title: 'menu.roles', icon: UserFilled, menu: true, permission: 'role:read', group: 'menu.groupSystem' },
      },
      {
        path: 'audit/operations',
        name: 'audit-operations',
        component: () => import('@/views/audit/operations.vue'),
        meta: {
          title: 'menu.auditOperations',
          icon: Document,
          menu: true,
          permission: 'audit:read',
          group: 'menu.groupSystem',
        },
      },
      {
        path: 'audit/logins',
        name: 'audit-logins',
        component: () => import('@/views/audit/logins.vue'),
        meta: {
          title: 'menu.auditLogins',
          icon: Tickets,
          menu: true,
          permission: 'audit:read',
          group: 'menu.groupSystem',
        },
      },
      {
        path: 'search',
        name: 'search',
        component: () => import('@/views/search/index.vue'),
        meta: { title: 'search.title' },
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
