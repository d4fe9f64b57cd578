// How a person is shown on records: by name (姓名), with the login name only where it identifies the account.
import { i18n } from '@/locales'

/**
 * "姓名（用户名）" when both are known and differ; only the one that is known otherwise — never an empty
 * "（）".
 */
export function personLabel(name: string | null | undefined, username: string | null | undefined): string {
  const n = name?.trim() ?? ''
  const u = username?.trim() ?? ''
  if (n && u && n !== u) return i18n.global.t('auditLog.person', { name: n, username: u })
  return n || u
}
