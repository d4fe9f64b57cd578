// 上下联动: the 工作台 link opens the inbox with its to-do filter; a recipient accepts a task with its version.
import { describe, expect, it } from 'vitest'
import LinkageView from '@/views/linkage/index.vue'
import type { LinkageRecipient } from '@/api/linkage'
import {
  freshScreenEachTest,
  jsonResponse,
  mountScreen,
  pageResponse,
  SLOW,
  slowUntil as until,
  stubFetch,
} from './helpers'

const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)

const row: LinkageRecipient = {
  id: 11,
  task_id: 3,
  org_id: 7,
  org_name: '云台县',
  issuer_name: '江岭省',
  title: '同步开展内部巡察',
  content: '按期反馈',
  focus: null,
  deadline: '2026-12-03',
  state: 'ISSUED',
  state_name: '待接收',
  overdue: true,
  report: null,
  return_reason: null,
  accepted_at: null,
  reported_at: null,
  done_at: null,
  rounds: [],
  version: 4,
  created_at: '2026-11-20T08:00:00Z',
}

freshScreenEachTest()

describe('上下联动', () => {
  it(
    'opens the inbox on the to-do filter and accepts a task with its version',
    async () => {
      const seen = stubFetch((req) => {
        if (req.path === '/api/v1/linkage/inbox') return pageResponse([row])
        if (req.path === '/api/v1/linkage/inbox/11/accept') return jsonResponse({ ...row, state: 'ACCEPTED' })
        if (req.path === '/api/v1/rounds') return jsonResponse([])
        return pageResponse([])
      })
      const { wrapper } = await mountScreen(LinkageView, '/linkage?todo=true', ['inspection:office'], {
        linkage: '/linkage',
      })
      await until(() => q('linkage-inbox')?.textContent?.includes('同步开展内部巡察') ?? false, 'the inbox row')
      expect(seen.find((r) => r.path === '/api/v1/linkage/inbox')!.query.get('todo')).toBe('true')
      expect(q('linkage-todo-filter')).not.toBeNull()
      expect(q('linkage-inbox')!.textContent).toContain('逾期')
      q('linkage-accept')!.click()
      await until(() => seen.some((r) => r.path === '/api/v1/linkage/inbox/11/accept'), 'the accept call')
      const accept = seen.find((r) => r.path === '/api/v1/linkage/inbox/11/accept')!
      expect(accept.method).toBe('POST')
      expect(accept.body).toEqual({ version: 4 })
      wrapper.unmount()
    },
    SLOW,
  )
})
