// The one HTTP client of the front end: openapi-fetch typed by the generated `paths`
// (src/api/schema.d.ts, from the server's OpenAPI document; `npm run gen:api`).
//
// Middleware:
// - CSRF: every state-changing request carries `X-CSRF-Token` = the readable `xuncha_csrf` cookie.
// - 401: the session is gone; the registered handler sends the user to /login.
// Errors come back as `application/problem+json`; `unwrap` turns them into `ApiError`.
// Query parameters that are null, undefined or '' are left out (a cleared filter never reaches the
// server as an empty parameter). Multipart uploads go through `multipart` (a FormData body), and
// download links (plain `<a href>`) are built from the same typed paths by `href`.
import createClient, {
  createFinalURL,
  createQuerySerializer,
  defaultPathSerializer,
  type Middleware,
} from 'openapi-fetch'
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

const serializeQuery = createQuerySerializer()

/** The query string of `query` without the parameters that carry no value (null, undefined, ''). */
export function querySerializer(query: Record<string, unknown> | undefined): string {
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined || value === '') continue
    kept[key] = value
  }
  return serializeQuery(kept)
}

export const client = createClient<paths>({
  baseUrl: baseUrl(),
  credentials: 'same-origin',
  querySerializer,
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

// ---------------------------------------------------------------------------------------------
// Queries, multipart bodies and download links

/** A query object as the generated parameter types take it: the null values become absent. */
export type Compact<Q> = { [K in keyof Q]?: Exclude<Q[K], null> }

/**
 * The filters of a screen (which use null for "no filter") as a typed query: null, undefined and ''
 * are left out (the client's query serializer drops them as well; this is for the types).
 */
export function compact<Q extends object>(query: Q): Compact<Q> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    out[key] = value
  }
  return out as Compact<Q>
}

export type FormValue = string | number | boolean | null | undefined

/** Multipart form data from plain fields and files; each file becomes a part named `fileField`. */
export function formData(fields: Record<string, FormValue>, files: readonly File[] = [], fileField = 'file'): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined || value === '') continue
    form.append(key, String(value))
  }
  for (const file of files) form.append(fileField, file, file.name)
  return form
}

/**
 * The body options of a multipart upload for openapi-fetch: the fields are checked against the
 * generated form type `T` (its binary parts, typed `string` there, are the `files`); the serializer
 * sends a FormData, for which the browser sets the Content-Type with its boundary.
 *
 *     client.POST('/api/v1/rect/findings/{id}/progress', { params, ...multipart<S['ProgressForm']>(fields, files) })
 */
export function multipart<T extends object, F extends keyof T = 'file' & keyof T>(
  fields: Omit<T, F>,
  files: readonly File[] = [],
  fileField: F = 'file' as F,
): { body: T; bodySerializer: () => FormData } {
  const form = formData(fields as Record<string, FormValue>, files, String(fileField))
  return { body: fields as unknown as T, bodySerializer: () => form }
}

type GetPath = { [P in keyof paths]: paths[P] extends { get: { parameters: unknown } } ? P : never }[keyof paths]
type GetParameters<P extends GetPath> = paths[P] extends { get: { parameters: infer X } } ? X : never
/** The path and query parameters of a GET operation, as generated. */
type LinkParams<P extends GetPath> = Pick<GetParameters<P>, ('path' | 'query') & keyof GetParameters<P>>

/**
 * A same-origin link to a GET path of the API (a download: .docx, .xlsx, .zip, an evidence file),
 * built from the typed path and its parameters; blank query parameters are left out.
 */
export function href<P extends GetPath>(path: P, params: LinkParams<P>): string {
  const { path: pathParams, query } = params as { path?: Record<string, unknown>; query?: Record<string, unknown> }
  return createFinalURL(path, {
    baseUrl: '',
    params: { path: pathParams, query },
    querySerializer,
    pathSerializer: defaultPathSerializer,
  })
}
