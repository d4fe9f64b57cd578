// The signed-in user's notifications (抄告, reminders, letters) and their own notification settings.
// The records are the generated types of the server's OpenAPI document (schema.d.ts); the calls go
// through the typed client of client.ts.
import { client, unwrap, unwrapVoid } from './client'
import type { components } from './schema'

type S = components['schemas']

/** One notification; `link` is an in-app path (e.g. '/rect/items/12') or null. */
export type Notification = S['NotificationDto']
/** One page of the notifications, newest first, with their total and how many are unread. */
export type NotificationList = S['NotificationList']
/**
 * The caller's notification e-mail address (null: in-app only) and whether the server sends e-mail
 * at all (`mail_enabled`, read only).
 */
export type NotificationSettings = S['NotificationSettings']

export interface NotificationQuery {
  page?: number
  /** 1..200; the server answers 50 when not given. */
  page_size?: number
}

/** One page of the caller's notifications (only the unread with `unreadOnly`), newest first. */
export function list(unreadOnly = false, paging: NotificationQuery = {}): Promise<NotificationList> {
  return unwrap(
    client.GET('/api/v1/notifications', { params: { query: unreadOnly ? { unread: true, ...paging } : paging } }),
  )
}

export function markRead(id: number): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/notifications/{id}/read', { params: { path: { id } } }))
}

export function markAllRead(): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/notifications/read-all'))
}

export function settings(): Promise<NotificationSettings> {
  return unwrap(client.GET('/api/v1/notifications/settings'))
}

/** Sets the address, or clears it with null (in-app only). */
export function saveSettings(email: string | null): Promise<NotificationSettings> {
  return unwrap(client.PUT('/api/v1/notifications/settings', { body: { email } }))
}
