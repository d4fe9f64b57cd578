// The signed-in user's notifications (抄告, reminders, letters) and their own notification settings.
// The records are the generated types of the server's OpenAPI document (schema.d.ts); the calls go
// through the request helper in http.ts.
import { get, put, request } from './http'
import type { components } from './schema'

type S = components['schemas']

/** One notification; `link` is an in-app path (e.g. '/rect/items/12') or null. */
export type Notification = S['NotificationDto']
/** The newest notifications and how many are unread. */
export type NotificationList = S['NotificationList']
/**
 * The caller's notification e-mail address (null: in-app only) and whether the server sends e-mail
 * at all (`mail_enabled`, read only).
 */
export type NotificationSettings = S['NotificationSettings']

export function list(unreadOnly = false): Promise<NotificationList> {
  return get('/api/v1/notifications', unreadOnly ? { unread: true } : {})
}

export function markRead(id: number): Promise<void> {
  return request<void>('POST', `/api/v1/notifications/${id}/read`)
}

export function markAllRead(): Promise<void> {
  return request<void>('POST', '/api/v1/notifications/read-all')
}

export function settings(): Promise<NotificationSettings> {
  return get('/api/v1/notifications/settings')
}

/** Sets the address, or clears it with null (in-app only). */
export function saveSettings(email: string | null): Promise<NotificationSettings> {
  const body: NotificationSettings = { email }
  return put('/api/v1/notifications/settings', body)
}
