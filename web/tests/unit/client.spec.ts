import { describe, expect, it, vi } from 'vitest'
import { ApiError, CSRF_HEADER, csrfMiddleware, readCookie, setUnauthorizedHandler } from '@/api/client'
import * as authApi from '@/api/auth'
import * as orgsApi from '@/api/orgs'
import * as tokensApi from '@/api/tokens'
import { freshClientEachTest, jsonResponse, problemResponse, stubFetch } from './helpers'

const ME = {
  id: 1,
  username: 'prov.director',
  display_name: '张主任',
  org_id: 1,
  org_name: '省委巡察办',
  roles: [],
  permissions: ['org:read'],
  totp_enabled: false,
  must_change_password: false,
}

freshClientEachTest()

describe('readCookie', () => {
  it('finds one cookie among several and decodes it', () => {
    expect(readCookie('xuncha_csrf', 'a=1; xuncha_csrf=tok%3D42; b=2')).toBe('tok=42')
    expect(readCookie('xuncha_csrf', 'xuncha_csrf_old=1; other=2')).toBeUndefined()
    expect(readCookie('x', '')).toBeUndefined()
  })
})

describe('CSRF middleware', () => {
  async function run(method: string): Promise<Request> {
    const request = new Request('http://localhost/api/v1/orgs', { method })
    const onRequest = csrfMiddleware.onRequest!
    const result = await onRequest({ request, schemaPath: '/api/v1/orgs', params: {}, id: '1', options: {} as never })
    return (result as Request | undefined) ?? request
  }

  it('sends the xuncha_csrf cookie as X-CSRF-Token on state-changing methods', async () => {
    document.cookie = 'xuncha_csrf=abc123; path=/'
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await run(method)).headers.get(CSRF_HEADER), method).toBe('abc123')
    }
  })

  it('does not send it on GET', async () => {
    document.cookie = 'xuncha_csrf=abc123; path=/'
    expect((await run('GET')).headers.get(CSRF_HEADER)).toBeNull()
  })

  it('sends nothing when there is no cookie', async () => {
    expect((await run('POST')).headers.get(CSRF_HEADER)).toBeNull()
  })

  it('is installed on the shared client: a real POST carries the header, a GET does not', async () => {
    document.cookie = 'xuncha_csrf=from-cookie; path=/'
    const seen = stubFetch((req) => (req.method === 'GET' ? jsonResponse(ME) : new Response(null, { status: 204 })))
    await authApi.changePassword('old', 'new-Passw0rd!')
    await authApi.me()
    await tokensApi.remove(7)
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/auth/password',
      'GET /api/v1/auth/me',
      'DELETE /api/v1/tokens/7',
    ])
    expect(seen[0]!.headers.get(CSRF_HEADER)).toBe('from-cookie')
    expect(seen[0]!.body).toEqual({ old_password: 'old', new_password: 'new-Passw0rd!' })
    expect(seen[1]!.headers.get(CSRF_HEADER)).toBeNull()
    expect(seen[2]!.headers.get(CSRF_HEADER)).toBe('from-cookie')
  })

  it('reads the cookie at request time (a new session gets a new token)', async () => {
    const seen = stubFetch(() => new Response(null, { status: 204 }))
    document.cookie = 'xuncha_csrf=first; path=/'
    await authApi.logout()
    document.cookie = 'xuncha_csrf=second; path=/'
    await authApi.logout()
    expect(seen.map((r) => r.headers.get(CSRF_HEADER))).toEqual(['first', 'second'])
  })
})

describe('errors', () => {
  it('turns a problem document into ApiError with code, status and detail', async () => {
    stubFetch(() => problemResponse(409, 'conflict.stale_version', '该记录已被他人修改，请刷新后重试'))
    const error = await orgsApi
      .update(5, { code: 'A', name: 'B', kind: 'city', party_org_kind: null, version: 3 })
      .catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(409)
    expect(error.code).toBe('conflict.stale_version')
    expect(error.message).toBe('该记录已被他人修改，请刷新后重试')
  })

  it('keeps the row errors of a failed import', async () => {
    stubFetch(() =>
      problemResponse(422, 'import.invalid_rows', '导入文件有 2 处错误', {
        errors: [
          { row: 3, column: '类型', message: '未知的单位类型' },
          { row: 7, column: '上级编码', message: '上级单位不存在' },
        ],
      }),
    )
    const file = new File(['编码,名称\n'], 'orgs.csv', { type: 'text/csv' })
    const error = await orgsApi.importFile(file).catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.problem.errors).toHaveLength(2)
    expect(error.problem.errors[1].column).toBe('上级编码')
  })

  it('calls the unauthorized handler on a 401, except for the login and session probes', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubFetch(() => problemResponse(401, 'auth.unauthenticated', '请先登录'))
    await orgsApi.roots().catch(() => undefined)
    expect(handler).toHaveBeenCalledTimes(1)
    await authApi.me().catch(() => undefined)
    await authApi.login({ username: 'x', password: 'y' }).catch(() => undefined)
    expect(handler).toHaveBeenCalledTimes(1)
  })
})
