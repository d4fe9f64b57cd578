import { describe, expect, it, vi } from 'vitest'
import {
  ApiError,
  CSRF_HEADER,
  NetworkError,
  compact,
  formData,
  href,
  querySerializer,
  setUnauthorizedHandler,
} from '@/api/client'
import * as rectApi from '@/api/rectification'
import * as notificationsApi from '@/api/notifications'
import { freshClientEachTest, jsonResponse, problemResponse, stubFetch } from './helpers'

freshClientEachTest()

/** Replaces fetch and keeps the raw requests (for multipart bodies). */
function stubRaw(handler: (req: Request) => Response | Promise<Response>): Request[] {
  const seen: Request[] = []
  vi.stubGlobal('fetch', async (req: Request) => {
    seen.push(req.clone())
    return handler(req)
  })
  return seen
}

describe('query strings', () => {
  it('leaves out blank parameters', () => {
    expect(querySerializer({ a: 1, b: '', c: null, d: undefined, e: false, q: '三重 一大' })).toBe(
      'a=1&e=false&q=%E4%B8%89%E9%87%8D%20%E4%B8%80%E5%A4%A7',
    )
    expect(querySerializer({})).toBe('')
    expect(querySerializer(undefined)).toBe('')
    expect(compact({ a: 1, b: '', c: null, d: undefined, e: 0 })).toEqual({ a: 1, e: 0 })
  })

  it('builds links from typed paths with their path and query parameters', () => {
    expect(href('/api/v1/rect/files/{id}', { path: { id: 12 } })).toBe('/api/v1/rect/files/12')
    expect(href('/api/v1/rect/archive', { query: {} })).toBe('/api/v1/rect/archive')
    expect(href('/api/v1/rect/archive', { query: { org_id: 2, round_id: undefined } })).toBe(
      '/api/v1/rect/archive?org_id=2',
    )
  })

  it('sends a blank filter of a real request nowhere (GET through the typed client)', async () => {
    const seen = stubRaw(() => jsonResponse({ items: [], total: 0 }))
    await rectApi.taskList({ org_id: null, state: null, q: '', round_id: 4 })
    expect(new URL(seen[0]!.url).search).toBe('?round_id=4')
  })

  it('builds the export and archive links with the filters and without paging', () => {
    expect(
      rectApi.ledgerExportUrl({ org_id: 3, state: 'IN_PROGRESS', view: 'attention', page: 2, page_size: 50 }),
    ).toBe('/api/v1/rect/ledger/export?org_id=3&state=IN_PROGRESS&view=attention')
    expect(rectApi.archiveUrl({ org_id: 3, round_id: null })).toBe('/api/v1/rect/archive?org_id=3')
    expect(rectApi.letterDocxUrl(9)).toBe('/api/v1/rect/letters/9/docx')
    expect(rectApi.reportDocxUrl(4)).toBe('/api/v1/rect/reports/4/docx')
    expect(rectApi.fileUrl(31)).toBe('/api/v1/rect/files/31')
  })
})

describe('rectification API', () => {
  it('GETs the ledger with the query and no CSRF header', async () => {
    document.cookie = 'xuncha_csrf=tok; path=/'
    const seen = stubRaw(() => jsonResponse({ items: [], total: 0 }))
    const page = await rectApi.ledger({ org_id: 5, q: '选人', page: 1, page_size: 20 })
    expect(page).toEqual({ items: [], total: 0 })
    const url = new URL(seen[0]!.url)
    expect(url.pathname).toBe('/api/v1/rect/ledger')
    expect(Object.fromEntries(url.searchParams)).toEqual({ org_id: '5', q: '选人', page: '1', page_size: '20' })
    expect(seen[0]!.headers.get(CSRF_HEADER)).toBeNull()
    expect(seen[0]!.credentials).toBe('same-origin')
  })

  it('sends JSON bodies with the CSRF header from the cookie', async () => {
    document.cookie = 'xuncha_csrf=from-cookie; path=/'
    const seen = stubFetch(() => jsonResponse({ id: 3, version: 2 }))
    await rectApi.savePlan(7, {
      principal_leader: '李厅长',
      signed_on: '2026-01-15',
      summary: '',
      items: [],
      version: 0,
    })
    await rectApi.submitPlan(3, 2)
    await rectApi.decideWriteOff(11, { decision: 'return', reason: '佐证不足', version: 4 })
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/v1/rect/units/7/plan',
      'POST /api/v1/rect/plans/3/submit',
      'POST /api/v1/rect/write-offs/11/decide',
    ])
    expect(seen.every((r) => r.headers.get(CSRF_HEADER) === 'from-cookie')).toBe(true)
    expect(seen[0]!.headers.get('Content-Type')).toBe('application/json')
    expect(seen[1]!.body).toEqual({ version: 2 })
    expect(seen[2]!.body).toEqual({ decision: 'return', reason: '佐证不足', version: 4 })
  })

  it('uploads progress as multipart with every file as a `file` part', async () => {
    document.cookie = 'xuncha_csrf=tok; path=/'
    const seen = stubRaw(() => jsonResponse({ id: 1 }, 201))
    // (happy-dom reads multipart file names back as Latin-1, so ASCII names here; see the next test.)
    const a = new File(['%PDF-1.4'], 'report.pdf', { type: 'application/pdf' })
    const b = new File(['x'], 'photo.jpg', { type: 'image/jpeg' })
    await rectApi.reportProgress(12, { content: '已完成制度修订', effective_date: '2026-01-20', outcome: null }, [a, b])
    const req = seen[0]!
    expect(new URL(req.url).pathname).toBe('/api/v1/rect/findings/12/progress')
    expect(req.method).toBe('POST')
    expect(req.headers.get(CSRF_HEADER)).toBe('tok')
    expect(req.headers.get('Content-Type')).toMatch(/^multipart\/form-data; boundary=/)
    const form = await req.formData()
    expect(form.get('content')).toBe('已完成制度修订')
    expect(form.get('effective_date')).toBe('2026-01-20')
    expect(form.has('outcome')).toBe(false)
    expect(form.getAll('file').map((f) => (f as File).name)).toEqual(['report.pdf', 'photo.jpg'])
  })

  it('keeps file names and leaves blank fields out of a form', () => {
    const form = formData({ outcome: 'completed', explanation: '已整改', empty: '', none: null }, [
      new File(['x'], '整改报告.pdf'),
    ])
    expect([...form.keys()]).toEqual(['outcome', 'explanation', 'file'])
    expect((form.get('file') as File).name).toBe('整改报告.pdf')
  })

  it('turns a problem+json answer into ApiError with the row errors of an import', async () => {
    const errors = [{ row: 3, column: '整改时限', message: '日期格式不正确' }]
    stubFetch(() => problemResponse(422, 'import.invalid', '文件中有 1 处错误', { errors }))
    const file = new File(['a,b'], 'ledger.csv', { type: 'text/csv' })
    const error = await rectApi.importLedger(4, file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(422)
    expect((error as ApiError).code).toBe('import.invalid')
    expect((error as ApiError).message).toBe('文件中有 1 处错误')
    expect((error as ApiError).problem.errors).toEqual(errors)
  })

  it('makes a problem out of a plain error answer and a stale version', async () => {
    stubFetch(() => new Response('gateway down', { status: 502, statusText: 'Bad Gateway' }))
    const error = (await rectApi.units().catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.code).toBe('http.502')
    stubFetch(() => problemResponse(409, 'conflict.stale_version', '记录已被他人修改'))
    const stale = (await rectApi.reopen(1, '反弹', 3).catch((e: unknown) => e)) as ApiError
    expect(stale.status).toBe(409)
  })

  it('reports a 401 to the session handler, and a network failure as NetworkError', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubFetch(() => problemResponse(401, 'auth.unauthenticated', '请先登录'))
    await expect(rectApi.stats({ group: 'unit' })).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(rectApi.item(1)).rejects.toBeInstanceOf(NetworkError)
  })

  it('asks for the pending extensions and the letters of one unit, one page at a time', async () => {
    const seen = stubRaw(() => jsonResponse({ items: [], total: 0, page: 1, page_size: 20 }))
    await rectApi.extensions()
    await rectApi.extensions({ page: 2, page_size: 50 })
    await rectApi.letters({ round_unit_id: 8, page_size: 200 })
    await rectApi.letters({ round_unit_id: null, page: 3, page_size: 20 })
    await rectApi.letters()
    await rectApi.stats({ group: 'category', round_id: 2, org_id: null })
    await rectApi.units({ q: '', page: 2, page_size: 50 })
    await rectApi.units({ q: '云台', page: 1, page_size: 20 })
    expect(seen.map((r) => new URL(r.url).pathname + decodeURIComponent(new URL(r.url).search))).toEqual([
      '/api/v1/rect/extensions?state=PENDING',
      '/api/v1/rect/extensions?state=PENDING&page=2&page_size=50',
      '/api/v1/rect/letters?round_unit_id=8&page_size=200',
      '/api/v1/rect/letters?page=3&page_size=20',
      '/api/v1/rect/letters',
      '/api/v1/rect/stats?group=category&round_id=2',
      // The units in rectification: one page, a blank search left out.
      '/api/v1/rect/units?page=2&page_size=50',
      '/api/v1/rect/units?q=云台&page=1&page_size=20',
    ])
  })
})

describe('notifications API', () => {
  it('lists unread notifications (one page) and marks them read (204)', async () => {
    document.cookie = 'xuncha_csrf=tok; path=/'
    const list = { items: [], total: 0, page: 1, page_size: 30, unread: 2 }
    const seen = stubFetch((req) => (req.method === 'GET' ? jsonResponse(list) : new Response(null, { status: 204 })))
    expect(await notificationsApi.list(true, { page_size: 30 })).toEqual(list)
    await expect(notificationsApi.markRead(5)).resolves.toBeUndefined()
    await expect(notificationsApi.markAllRead()).resolves.toBeUndefined()
    await notificationsApi.list()
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/notifications',
      'POST /api/v1/notifications/5/read',
      'POST /api/v1/notifications/read-all',
      'GET /api/v1/notifications',
    ])
    expect(Object.fromEntries(seen[0]!.query)).toEqual({ unread: 'true', page_size: '30' })
    // Without a page size the server answers its default (50).
    expect(Object.fromEntries(seen[3]!.query)).toEqual({})
    expect(seen[1]!.headers.get(CSRF_HEADER)).toBe('tok')
  })
})
