// The one HTTP client of the front end: openapi-fetch typed by the generated `paths`
// (src/api/schema.d.ts, from the server's OpenAPI document; `npm run gen:api`).
//
// Middleware:
// - CSRF: every state-changing request carries `X-CSRF-Token` = the readable `xuncha_csrf` cookie.
// - 401: the session is gone; the registered handler sends the user to /login.
// Errors come back as `application/problem+json`; `unwrap` turns them into `ApiError`.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Problem = components['schemas']['Problem']

export const CSRF_COOKIE = 'xuncha_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/** Reads one cookie from `document.cookie` (undefined when absent). */
export function readCookie(name: string, cookieString: string = document.cookie): string | undefined {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(raw)
      } catch {
        return raw
      }
    }
  }
  return undefined
}

/** Adds the CSRF header to POST/PUT/PATCH/DELETE requests. */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined
    const token = readCookie(CSRF_COOKIE)
    if (token) request.headers.set(CSRF_HEADER, token)
    return request
  },
}

/** An error answer of the API, carrying the problem document. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }

  get code(): string {
    return this.problem.code
  }
}

/** A network failure (server unreachable). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network')
    this.name = 'NetworkError'
    this.cause = cause
  }
}

type UnauthorizedHandler = () => void
let onUnauthorized: UnauthorizedHandler | undefined

/** Registered once by main.ts (keeps the client free of router imports). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | undefined): void {
  onUnauthorized = handler
}

/** Paths whose 401 is an ordinary answer, not an expired session. */
const AUTH_PROBES = ['/api/v1/auth/login', '/api/v1/auth/me']

/** Reports a 401 answer of `path` to the registered handler (not for the login and session probes). */
export function reportUnauthorized(path: string): void {
  if (!AUTH_PROBES.includes(path)) onUnauthorized?.()
}

export const unauthorizedMiddleware: Middleware = {
  onResponse({ request, response }) {
    if (response.status !== 401) return undefined
    reportUnauthorized(new URL(request.url).pathname)
    return undefined
  },
}

/** The origin API paths are resolved against (empty outside a browser). */
export function baseUrl(): string {
  return typeof location !== 'undefined' && location.origin && location.origin !== 'null' ? location.origin : ''
}

export const client = createClient<paths>({
  baseUrl: baseUrl(),
  credentials: 'same-origin',
  // Looked up at call time so tests can stub the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
})
client.use(csrfMiddleware, unauthorizedMiddleware)

/** The problem document of an error answer: the parsed body when it is one, else one made from the status. */
export function toProblem(status: number, error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && 'status' in error) return error as Problem
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${status}`,
    status,
    code: `http.${status}`,
    detail: typeof error === 'string' && error.length < 300 ? error : '',
  }
}

type Result<D> = { data?: D; error?: unknown; response: Response }

async function settle<D>(promise: Promise<Result<D>>): Promise<Result<D>> {
  try {
    return await promise
  } catch (cause) {
    throw new NetworkError(cause)
  }
}

/** Awaits an openapi-fetch call and returns its data, or throws `ApiError`. */
export async function unwrap<D>(promise: Promise<Result<D>>): Promise<D> {
  const { data, error, response } = await settle(promise)
  if (!response.ok) throw new ApiError(response.status, toProblem(response.status, error, response))
  return data as D
}

/** Like `unwrap` for answers without a body (204). */
export async function unwrapVoid(promise: Promise<Result<unknown>>): Promise<void> {
  await unwrap(promise)
}
