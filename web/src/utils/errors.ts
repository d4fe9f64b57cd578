// Showing API errors to the user: the server's Chinese `detail` in a message box.
import { ElMessage } from 'element-plus'
import { ApiError, NetworkError } from '@/api/client'
import { i18n } from '@/locales'

/** The text to show for an error (the problem's `detail`, else a generic message). */
export function errorText(error: unknown): string {
  const t = i18n.global.t
  if (error instanceof ApiError) {
    return error.problem.detail || error.problem.title || t('error.http', { status: error.status })
  }
  if (error instanceof NetworkError) return t('error.network')
  return t('error.unexpected')
}

/** Shows an error; 401 is handled by the client (redirect to /login) and not shown twice. */
export function showError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401 && error.code !== 'auth.invalid_credentials') return
  ElMessage({ type: 'error', message: errorText(error), showClose: true, duration: 5000 })
}

/** True for the "someone else changed this record" answer (409 conflict.stale_version). */
export function isStaleVersion(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409
}

/** Field messages of a 422 answer, keyed by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (error instanceof ApiError && error.problem.fields) {
    for (const f of error.problem.fields) out[f.field] = f.message
  }
  return out
}

/**
 * Runs a save: on success returns the value; on error shows the detail, fills `fields`
 * from a 422, and on a stale version (409) calls `onStale` so the page reloads the record.
 */
export async function runSave<T>(
  action: () => Promise<T>,
  options: { fields?: Record<string, string>; onStale?: () => void | Promise<void> } = {},
): Promise<T | undefined> {
  if (options.fields) for (const key of Object.keys(options.fields)) delete options.fields[key]
  try {
    return await action()
  } catch (error) {
    showError(error)
    if (options.fields) Object.assign(options.fields, fieldErrors(error))
    if (isStaleVersion(error) && options.onStale) await options.onStale()
    return undefined
  }
}
