// How a person is shown on records: by name (姓名), with the login name only where it identifies the account.
// The server records people by their display name where it can; the jobs that act without an account
// (the command line, the demo loader, first start) are recorded under a code name, shown here in words.
import { i18n } from '@/locales'

/** The code names of the server's own actors (`Actor::system`), which have no account. */
export const SYSTEM_ACTORS = ['system', 'init', 'demo', 'cli'] as const

/** A person's name as recorded; the server's own actors in words ("demo" → 演示数据). */
export function personName(name: string | null | undefined): string {
  const n = name?.trim() ?? ''
  return (SYSTEM_ACTORS as readonly string[]).includes(n) ? i18n.global.t(`people.system.${n}`) : n
}

/**
 * "姓名（用户名）" when both are known and differ; only the one that is known otherwise — never an empty
 * "（）". Without an account (`accountId` null) the name is one of the server's own actors.
 */
export function personLabel(
  name: string | null | undefined,
  username: string | null | undefined,
  accountId?: number | null,
): string {
  if (accountId === null) return personName(username || name)
  const n = name?.trim() ?? ''
  const u = username?.trim() ?? ''
  if (n && u && n !== u) return i18n.global.t('auditLog.person', { name: n, username: u })
  return n || u
}
