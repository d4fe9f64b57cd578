// The notification e-mail address a user gives on the profile page: checked here before it is sent
// (the server checks it again and answers a 422 on the `email` field). Messages come from the locale.
import { i18n } from '@/locales'

/** The server's limit on the address (crates/api: notification settings). */
export const MAX_EMAIL_LENGTH = 200
/** The example address of the placeholder and the message (an `@` cannot stand in a locale message). */
export const EXAMPLE_EMAIL = 'name@example.gov.cn'

/**
 * local@domain: a local part without spaces or '@', a domain of at least two dot-separated labels
 * (letters, digits, hyphens inside), e.g. name@example.gov.cn.
 */
const EMAIL_RE = /^[^\s@]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/

/** The address as the server takes it: trimmed, null when left blank (in-app notifications only). */
export function emailValue(text: string | null | undefined): string | null {
  const value = (text ?? '').trim()
  return value === '' ? null : value
}

/** Why the address cannot be saved (a Chinese message), or null; a blank address is allowed. */
export function emailError(text: string | null | undefined): string | null {
  const value = emailValue(text)
  if (value === null) return null
  if (value.length > MAX_EMAIL_LENGTH) return i18n.global.t('notification.emailTooLong', { max: MAX_EMAIL_LENGTH })
  if (!EMAIL_RE.test(value)) return i18n.global.t('notification.emailInvalid', { example: EXAMPLE_EMAIL })
  return null
}
