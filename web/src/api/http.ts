// A small fetch helper, used by the rectification and notification calls (rect.ts, notifications.ts:
// multipart uploads of several evidence files, plain download links); their records are the generated
// types of schema.d.ts all the same. Same rules as the typed client in client.ts:
// same-origin cookies, the CSRF header on state-changing requests, a 401 reported to the session
// handler, and `application/problem+json` answers turned into `ApiError`.
import { ApiError, CSRF_COOKIE, CSRF_HEADER, NetworkError, baseUrl, readCookie, reportUnauthorized, toProblem } from './client'

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/**
 * `path?query` with the parameters that carry a value: null, undefined and '' are left out, so a
 * cleared filter never reaches the server as an empty parameter.
 */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path
}

export interface RequestOptions {
  query?: Query
  /** A JSON body. */
  json?: unknown
  /** A multipart body (the browser sets the Content-Type with its boundary). */
  form?: FormData
}

/** Multipart form data from plain fields and files; each file becomes a part named `fileField`. */
export function formData(fields: Record<string, QueryValue>, files: readonly File[] = [], fileField = 'file'): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined || value === '') continue
    form.append(key, String(value))
  }
  for (const file of files) form.append(fileField, file, file.name)
  return form
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: unknown
  try {
    const text = await response.text()
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = text
    }
  } catch {
    body = undefined
  }
  return new ApiError(response.status, toProblem(response.status, body, response))
}

/** Sends one request; resolves to the parsed JSON answer (undefined for 204 or an empty body). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = baseUrl() + withQuery(path, options.query)
  const upper = method.toUpperCase()
  const headers = new Headers({ Accept: 'application/json, application/problem+json' })
  let body: BodyInit | undefined
  if (options.form) {
    body = options.form
  } else if (options.json !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(options.json)
  }
  if (!SAFE_METHODS.has(upper)) {
    const token = readCookie(CSRF_COOKIE)
    if (token) headers.set(CSRF_HEADER, token)
  }
  let response: Response
  try {
    // Looked up at call time so tests can stub the global fetch.
    response = await globalThis.fetch(new Request(url, { method: upper, headers, body, credentials: 'same-origin' }))
  } catch (cause) {
    throw new NetworkError(cause)
  }
  if (response.status === 401) reportUnauthorized(new URL(url, 'http://localhost').pathname)
  if (!response.ok) throw await problemOf(response)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  if (!text) return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    return text as T
  }
}

export const get = <T>(path: string, query?: Query): Promise<T> => request<T>('GET', path, { query })
export const post = <T>(path: string, json?: unknown): Promise<T> => request<T>('POST', path, { json: json ?? {} })
export const put = <T>(path: string, json: unknown): Promise<T> => request<T>('PUT', path, { json })
export const upload = <T>(path: string, form: FormData): Promise<T> => request<T>('POST', path, { form })
