// The operation log in words: action codes and object kinds in Chinese (locale `auditLog`), and the page of
// the record an entry is about, where the front end has one.
import type { RouteLocationRaw } from 'vue-router'
import { i18n } from '@/locales'

/** The action codes the server records (crates/store/src, `audit_append!`), grouped by their module. */
export const AUDIT_ACTIONS = [
  'activity.create',
  'activity.read_talk',
  'assessment.create',
  'assessment.export',
  'assessment.finalise',
  'assessment.revisit.done',
  'assessment.revisit.schedule',
  'assessment.settings',
  'assessment.update',
  'audit.checkpoint',
  'clue.create',
  'clue.letter',
  'clue.list',
  'clue.read',
  'clue.report',
  'clue.transition',
  'disclosure.create',
  'disclosure.regenerate',
  'disclosure.transition',
  'disclosure.update',
  'fieldwork.method',
  'finding.create',
  'finding.immediate',
  'finding.transition',
  'finding.update',
  'frame.import',
  'notification.email',
  'org.activate',
  'org.create',
  'org.deactivate',
  'org.export',
  'org.import',
  'org.move',
  'org.update',
  'person.post',
  'person.relation',
  'person.save',
  'person.training',
  'policy.update',
  'public_channel.open',
  'public_report.answer',
  'public_report.ask',
  'public_report.convert',
  'public_report.decide',
  'public_report.file',
  'public_report.list',
  'public_report.read',
  'public_report.submit',
  'rect.archive',
  'rect.explain',
  'rect.extension.decide',
  'rect.extension.request',
  'rect.holidays',
  'rect.ledger.export',
  'rect.ledger.import',
  'rect.letter',
  'rect.letter_withdraw',
  'rect.measure.done',
  'rect.outcome',
  'rect.plan.review',
  'rect.plan.save',
  'rect.plan.submit',
  'rect.progress',
  'rect.reopen',
  'rect.report',
  'rect.report.file',
  'rect.settings',
  'rect.write_off.decide',
  'rect.write_off.request',
  'recusal.request',
  'role.create',
  'role.update',
  'round.create',
  'round.update',
  'round_unit.create',
  'round_unit.team',
  'round_unit.transition',
  'settings.update',
  'survey.create',
  'survey.link',
  'survey.respond',
  'team.create',
  'team.member_add',
  'team.member_remove',
  'term.create',
  'token.create',
  'token.revoke',
  'user.change_password',
  'user.create',
  'user.lock',
  'user.reset_approve',
  'user.reset_password',
  'user.reset_reject',
  'user.reset_request',
  'user.roles',
  'user.totp_disable',
  'user.totp_enable',
  'user.totp_setup',
  'user.unlock',
  'user.update',
] as const

/** The kinds of object the server records (`target_type`). */
export const AUDIT_TARGETS = [
  'activity',
  'api_token',
  'assessment',
  'audit',
  'clue',
  'disclosure',
  'fieldwork_method',
  'finding',
  'frame',
  'holidays',
  'ledger',
  'letter',
  'org',
  'person',
  'policy',
  'public_report',
  'rect_plan',
  'recusal_request',
  'revisit',
  'role',
  'round',
  'round_unit',
  'settings',
  'survey',
  'team',
  'term',
  'user',
] as const

/** The module of an action code: what comes before its first dot. */
export function actionModule(code: string): string {
  const dot = code.indexOf('.')
  return dot < 0 ? code : code.slice(0, dot)
}

export interface ActionGroup {
  module: string
  actions: string[]
}

/** The actions by module, in the order of AUDIT_ACTIONS: the options of the 操作类型 filter. */
export function actionGroups(): ActionGroup[] {
  const groups = new Map<string, string[]>()
  for (const code of AUDIT_ACTIONS) {
    const m = actionModule(code)
    if (!groups.has(m)) groups.set(m, [])
    groups.get(m)!.push(code)
  }
  return [...groups].map(([module, actions]) => ({ module, actions }))
}

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const has = (key: string) => i18n.global.te(key)

/** The locale key of an action code (dots in a code would be read as a path). */
export const actionKey = (code: string) => `auditLog.actions.${code.replace(/\./g, '_')}`

/** An action in Chinese; an unknown code as it is. */
export function actionLabel(code: string): string {
  return has(actionKey(code)) ? t(actionKey(code)) : code
}

/** A module in Chinese; an unknown one as it is. */
export function moduleLabel(module: string): string {
  const key = `auditLog.modules.${module}`
  return has(key) ? t(key) : module
}

/** A kind of object in Chinese; an unknown one as it is. */
export function targetLabel(type: string): string {
  const key = `auditLog.targets.${type}`
  return has(key) ? t(key) : type
}

/** The page of the record an entry is about, when there is one (null otherwise). */
export function targetRoute(entry: {
  action: string
  target_type: string
  target_id: string
}): RouteLocationRaw | null {
  const id = Number(entry.target_id)
  if (!entry.target_id || !Number.isInteger(id) || id <= 0) return null
  const rect = actionModule(entry.action) === 'rect'
  switch (entry.target_type) {
    case 'round':
      return { name: 'inspection-round', params: { id } }
    case 'round_unit':
      // A rectification record is about the unit's plan; the others about the inspection of the unit.
      return rect ? { name: 'rect-plan', params: { id } } : { name: 'inspection-unit', params: { id } }
    case 'finding':
      // Only a fed-back problem has a page of its own (the rectification item).
      return rect ? { name: 'rect-item', params: { id } } : null
    case 'assessment':
      return { name: 'assessment-editor', params: { id } }
    case 'disclosure':
      return { name: 'disclosure-editor', params: { id } }
    default:
      return null
  }
}
