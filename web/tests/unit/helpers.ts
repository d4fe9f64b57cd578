import { afterEach, beforeEach, vi } from 'vitest'
import { createPinia, getActivePinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import { setUnauthorizedHandler, type Problem } from '@/api/client'
import type { Me } from '@/api/auth'
import type { LedgerRow, RectItem } from '@/api/rectification'
import { vPerm } from '@/directives/perm'
import { useAuthStore } from '@/stores/auth'
import { i18n } from '@/locales'
import zhCN from '@/locales/zh-CN'

/** A JSON response like the server's. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

/** An `application/problem+json` error response. */
export function problemResponse(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Response {
  const problem: Problem = { type: 'about:blank', title: code, status, code, detail, ...extra }
  return new Response(JSON.stringify(problem), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })
}

export interface Captured {
  method: string
  path: string
  /** The query string's parameters. */
  query: URLSearchParams
  headers: Headers
  body: unknown
}

/**
 * Replaces the global fetch with a handler; returns the requests it saw (body parsed as JSON when possible).
 */
export function stubFetch(handler: (req: Captured) => Response | Promise<Response>): Captured[] {
  const seen: Captured[] = []
  vi.stubGlobal('fetch', async (input: Request) => {
    const text = input.method === 'GET' || input.method === 'HEAD' ? '' : await input.text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      /* not JSON */
    }
    const url = new URL(input.url)
    const captured: Captured = {
      method: input.method,
      path: url.pathname,
      query: url.searchParams,
      headers: input.headers,
      body,
    }
    seen.push(captured)
    return handler(captured)
  })
  return seen
}

/** One page of a paged list (`{items, total, page, page_size}`), as the server answers it. */
export function pageResponse<T>(items: T[], total = items.length, page = 1, pageSize = 20): Response {
  return jsonResponse({ items, total, page, page_size: pageSize })
}

/** Waits until `check` passes (component updates and fetches settle over several ticks). */
export async function until(check: () => boolean, message = 'condition', timeoutMs = 3000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${message}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export function clearCookies(): void {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

/** The first mount of a screen is slow on a busy machine: `until` with a longer wait, and the test timeout for it. */
export const slowUntil = (check: () => boolean, message?: string) => until(check, message, 15_000)
export const SLOW = 30_000

/** Before each test and after it: no cookies; after it also the global stubs and the 401 handler undone. */
export function freshClientEachTest(): void {
  beforeEach(() => {
    clearCookies()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setUnauthorizedHandler(undefined)
    clearCookies()
  })
}

/** The zh-CN catalogue's entry at a dotted key (a string for a message, undefined when missing). */
export function lookup(key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      zhCN,
    )
}

/** The demo's provincial office director (黄明 of 江岭省), for `me(permissions, DIRECTOR)`. */
export const DIRECTOR: Partial<Me> = {
  id: 4,
  username: 'prov.director',
  display_name: '黄明',
  org_id: 1,
  org_name: '江岭省',
}

/** A signed-in user of the 江岭省委巡察办 with these permissions (and whatever `extra` changes). */
export function me(permissions: string[], extra: Partial<Me> = {}): Me {
  return {
    id: 1,
    username: 'u',
    display_name: '用户',
    org_id: 2,
    org_name: '江岭省委巡察办',
    roles: [],
    permissions,
    compartments: [],
    totp_enabled: false,
    must_change_password: false,
    ...extra,
  }
}

/** A fresh active pinia before each test; after it, the global stubs undone and the page emptied. */
export function freshScreenEachTest(): void {
  beforeEach(() => {
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })
}

/** What a screen mounts with: the test's pinia, i18n, Element Plus, the router and the perm directive. */
export function screenGlobal(router: Router) {
  return { plugins: [getActivePinia()!, i18n, ElementPlus, router], directives: { perm: vPerm } }
}

/** A memory router at `path` whose named routes (name → path) all show an empty stub. */
export async function stubRouterAt(path: string, named: Record<string, string>): Promise<Router> {
  const component = { template: '<div />' }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: Object.entries(named).map(([name, at]) => ({ path: at, name, component })),
  })
  await router.push(path)
  await router.isReady()
  return router
}

/**
 * Mounts a screen (attached to the page) for a user of the 江岭省委巡察办 with `permissions`, at `path` of
 * a stub router with these named routes (stubRouterAt).
 */
export async function mountScreen(
  component: unknown,
  path: string,
  permissions: string[],
  named: Record<string, string>,
) {
  useAuthStore().me = me(permissions)
  const router = await stubRouterAt(path, named)
  const wrapper = mount(component as never, {
    global: screenGlobal(router),
    attachTo: document.body,
  })
  return { wrapper, router }
}

/** A row of the 整改台账 (an open item of 江岭省财政厅, deadline extended once). */
export function ledgerRow(over: Partial<LedgerRow> = {}): LedgerRow {
  return {
    id: 5,
    round_id: 1,
    round_name: '2025年第二轮巡察',
    round_unit_id: 3,
    org_id: 2,
    org_name: '江岭省财政厅',
    category_name: '党的建设',
    title: '选人用人工作不规范',
    state: 'IN_PROGRESS',
    state_name: '整改中',
    outcome: null,
    outcome_name: null,
    deadline: '2026-06-30',
    original_deadline: '2026-03-31',
    extensions: 1,
    warning: 'yellow',
    overdue_days: 0,
    measure_count: 1,
    progress_count: 0,
    last_progress_on: null,
    closed_on: null,
    letter_count: 0,
    version: 7,
    ...over,
  }
}

/** A 整改事项 page's record: `row` with no measures, progress or other records (and `over` on top). */
export function rectItem(row: LedgerRow, over: Partial<RectItem> = {}): RectItem {
  return {
    row,
    facts: '纪实不全',
    basis: '条例',
    responsibility: '厅党组',
    measures: [],
    progress: [],
    write_offs: [],
    extensions: [],
    outcomes: [],
    letters: [],
    trail: [],
    events: [],
    actions: [],
    letter_ladder: [],
    ...over,
  }
}
