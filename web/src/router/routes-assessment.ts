// Routes of assessment (整改评估), disclosure (整改公开) and their public pages
// (docs/design/assessment-api.md). Merged into routes.ts: the layout children go under the
// signed-in layout, the public routes stand alone and need no login.
import type { RouteRecordRaw } from 'vue-router'
import { Medal, Promotion } from '@element-plus/icons-vue'

export const assessmentChildren: RouteRecordRaw[] = [
  {
    path: 'assessment',
    name: 'assessment',
    component: () => import('@/views/assessment/index.vue'),
    meta: {
      title: 'assessment.menu.assessments',
      icon: Medal,
      menu: true,
      permission: 'rect:read',
      group: 'menu.groupAssessment',
    },
  },
  {
    path: 'assessment/:id(\\d+)',
    name: 'assessment-editor',
    component: () => import('@/views/assessment/editor.vue'),
    meta: { title: 'assessment.menu.editor', permission: 'rect:read', activeMenu: '/assessment' },
  },
  {
    path: 'disclosure',
    name: 'disclosure',
    component: () => import('@/views/disclosure/index.vue'),
    meta: {
      title: 'assessment.menu.disclosures',
      icon: Promotion,
      menu: true,
      permission: 'rect:read',
      group: 'menu.groupAssessment',
    },
  },
  {
    path: 'disclosure/:id(\\d+)',
    name: 'disclosure-editor',
    component: () => import('@/views/disclosure/editor.vue'),
    meta: { title: 'assessment.menu.disclosure', permission: 'rect:read', activeMenu: '/disclosure' },
  },
]

/** Pages anyone may open: the survey behind an anonymous link and the approved public releases. */
export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/s/:token',
    name: 'public-survey',
    component: () => import('@/views/public/survey.vue'),
    meta: { public: true, title: 'publicSite.survey.title' },
  },
  {
    path: '/public/disclosures',
    name: 'public-disclosures',
    component: () => import('@/views/public/disclosures.vue'),
    meta: { public: true, title: 'publicSite.listTitle' },
  },
  {
    path: '/public/disclosures/:id(\\d+)',
    name: 'public-disclosure',
    component: () => import('@/views/public/disclosure.vue'),
    meta: { public: true, title: 'publicSite.name' },
  },
]
