// The signed-in user's notifications (抄告, reminders, letters): docs/design/rectification-api.md.
// Hand-written until the generated schema has these paths.
import { get, request } from './http'

export interface Notification {
  id: number
  kind: string
  title: string
  body: string
  /** An in-app path (e.g. '/rect/items/12') or null. */
  link: string | null
  created_at: string
  read_at: string | null
}

export interface NotificationList {
  items: Notification[]
  /** How many are unread. */
  unread: number
}

export function list(unreadOnly = false): Promise<NotificationList> {
  return get('/api/v1/notifications', unreadOnly ? { unread: true } : {})
}

export function markRead(id: number): Promise<void> {
  return request<void>('POST', `/api/v1/notifications/${id}/read`)
}

export function markAllRead(): Promise<void> {
  return request<void>('POST', '/api/v1/notifications/read-all')
}
