// Rules of rectification work shared by the screens (docs/design/rectification-api.md): money in fen,
// deadlines as a date or N working days, evidence file checks, plan validation, the plan diff,
// warning colours, ledger queries and figures. Pure functions; messages come from the locale.
import { i18n } from '@/locales'
import { FINDING_STATES, WARNINGS, isCode } from '@/api/codes'
import type {
  LedgerQuery,
  LedgerRow,
  LedgerView,
  MeasureDraft,
  Plan,
  PlanChange,
  PlanDiff,
  TrailStep,
  Warning,
} from '@/api/rectification'

const t = (key: string, params: Record<string, unknown> = {}): string => i18n.global.t(key, params)

// ---------------------------------------------------------------------------------------------
// Warning colours

export type TagType = 'success' | 'warning' | 'danger' | 'info'

/** The Element Plus tag type of a warning colour (none: the item is closed). */
export function warningTagType(warning: Warning | string | null | undefined): TagType {
  switch (warning) {
    case 'green':
      return 'success'
    case 'yellow':
      return 'warning'
    case 'red':
      return 'danger'
    default:
      return 'info'
  }
}

/** The original deadline to show beside the current one, when an extension moved it. */
export function originalDeadlineShown(row: Pick<LedgerRow, 'deadline' | 'original_deadline'>): string | null {
  return row.original_deadline && row.original_deadline !== row.deadline ? row.original_deadline : null
}

// ---------------------------------------------------------------------------------------------
// Money: stored as integer fen, shown and typed as 元 with two decimals. Never through floats.

/**
 * Parses an amount in 元 ("1234", "1,234.5", "0.05") into integer fen by string handling; null when
 * it is not a non-negative amount with at most two decimals (or too large to be exact).
 */
export function parseYuan(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const s = String(text)
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/^¥/, '')
  if (s === '') return null
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const whole = m[1]!.replace(/^0+(?=\d)/, '')
  const cents = (m[2] ?? '').padEnd(2, '0')
  const fen = Number(whole + cents)
  return Number.isSafeInteger(fen) ? fen : null
}

function splitFen(fen: number): { sign: string; whole: string; cents: string } {
  const n = Math.trunc(fen)
  const abs = Math.abs(n)
  const digits = String(abs).padStart(3, '0')
  return { sign: n < 0 ? '-' : '', whole: digits.slice(0, -2), cents: digits.slice(-2) }
}

/** Fen as 元 with two decimals, without grouping (for an input box): 123456 → "1234.56". */
export function fenToYuan(fen: number): string {
  const { sign, whole, cents } = splitFen(fen)
  return `${sign}${whole}.${cents}`
}

/** Fen as 元 with two decimals and thousands separators: 123456789 → "1,234,567.89". */
export function formatYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '0.00'
  const { sign, whole, cents } = splitFen(fen)
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`
}

// ---------------------------------------------------------------------------------------------
// Dates (YYYY-MM-DD, China local dates; compared as strings, counted through UTC midnights)

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isDate(value: string | null | undefined): value is string {
  const m = value ? DATE_RE.exec(value) : null
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

function utc(date: string): number {
  const m = DATE_RE.exec(date)!
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to) - utc(from)) / 86_400_000)
}

export function addDays(date: string, days: number): string {
  const d = new Date(utc(date) + days * 86_400_000)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`
}

// ---------------------------------------------------------------------------------------------
// Measures: the deadline is a date OR N working days from the feedback date.

export type DeadlineMode = 'date' | 'working_days'

/** The longest a deadline may reach: 3650 days (from the feedback date), or 3650 working days. */
export const MAX_DEADLINE_DAYS = 3650

export function emptyMeasure(): MeasureDraft {
  return {
    kind: 'deadline',
    content: '',
    target: '',
    responsible_leader: '',
    lead_dept: '',
    co_depts: [],
    deadline: null,
    deadline_working_days: null,
    resolved_deadline: null,
  }
}

/** How a measure's deadline is given (a date when neither is set yet). */
export function deadlineModeOf(m: Pick<MeasureDraft, 'deadline' | 'deadline_working_days'>): DeadlineMode {
  return m.deadline_working_days !== null && m.deadline_working_days !== undefined && !m.deadline
    ? 'working_days'
    : 'date'
}

/**
 * Switches a measure's deadline mode: exactly one of `deadline` and `deadline_working_days` is kept,
 * the other is cleared, and the server's resolved date is forgotten (it is worked out again).
 */
export function withDeadlineMode<M extends MeasureDraft>(m: M, mode: DeadlineMode): M {
  const resolved = mode === deadlineModeOf(m) ? m.resolved_deadline : null
  return mode === 'date'
    ? { ...m, deadline_working_days: null, resolved_deadline: resolved }
    : { ...m, deadline: null, resolved_deadline: resolved }
}

/** The measure as the server takes it: trimmed text, co-operating departments without blanks or repeats. */
export function cleanMeasure(m: MeasureDraft, mode: DeadlineMode = deadlineModeOf(m)): MeasureDraft {
  const depts: string[] = []
  for (const d of m.co_depts ?? []) {
    const name = d.trim()
    if (name && !depts.includes(name)) depts.push(name)
  }
  return {
    kind: m.kind,
    content: m.content.trim(),
    target: (m.target ?? '').trim(),
    responsible_leader: m.responsible_leader.trim(),
    lead_dept: m.lead_dept.trim(),
    co_depts: depts,
    deadline: mode === 'date' ? m.deadline || null : null,
    deadline_working_days: mode === 'working_days' ? (m.deadline_working_days ?? null) : null,
    resolved_deadline: null,
  }
}

/** The deadline of a measure as text: the date, or "N 个工作日" with the worked-out date when known. */
export function deadlineText(
  m: Pick<MeasureDraft, 'deadline' | 'deadline_working_days' | 'resolved_deadline'>,
): string {
  if (m.deadline) return m.deadline
  if (m.deadline_working_days !== null && m.deadline_working_days !== undefined) {
    return m.resolved_deadline
      ? t('rect.measure.workingDaysResolved', { n: m.deadline_working_days, date: m.resolved_deadline })
      : t('rect.measure.workingDaysText', { n: m.deadline_working_days })
  }
  return m.resolved_deadline ?? ''
}

export interface PlanCheckItem {
  title: string
  measures: readonly MeasureDraft[]
  /** The deadline mode chosen for each measure (by default, what the measure holds). */
  modes?: readonly DeadlineMode[]
}

export interface PlanCheckContext {
  /** The feedback date the working days count from (today when unknown). */
  base: string
  /** Submitting: every problem needs a measure and the principal leader's sign-off. */
  submit: boolean
  principal_leader?: string
  signed_on?: string | null
}

/** Problems of one measure, each a Chinese message naming the problem, the measure and the field. */
export function measureErrors(
  m: MeasureDraft,
  title: string,
  index: number,
  base: string,
  mode: DeadlineMode = deadlineModeOf(m),
): string[] {
  const out: string[] = []
  const where = { title, n: index + 1 }
  const required: [keyof MeasureDraft, string][] = [
    ['content', 'rect.measure.content'],
    ['responsible_leader', 'rect.measure.responsibleLeader'],
    ['lead_dept', 'rect.measure.leadDept'],
  ]
  for (const [key, label] of required) {
    if (!String(m[key] ?? '').trim()) out.push(t('rect.validation.measureRequired', { ...where, field: t(label) }))
  }
  if (!m.kind) out.push(t('rect.validation.measureRequired', { ...where, field: t('rect.measure.kind') }))
  if (mode === 'date') {
    if (!isDate(m.deadline)) {
      out.push(t('rect.validation.deadlineDate', where))
    } else if (isDate(base) && daysBetween(base, m.deadline) > MAX_DEADLINE_DAYS) {
      out.push(t('rect.validation.deadlineTooFar', { ...where, max: MAX_DEADLINE_DAYS }))
    }
  } else {
    const n = m.deadline_working_days
    if (n === null || n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_DEADLINE_DAYS) {
      out.push(t('rect.validation.deadlineDays', { ...where, max: MAX_DEADLINE_DAYS }))
    }
  }
  return out
}

/** Every problem of a plan before saving (the measures written) or submitting (complete and signed). */
export function planErrors(items: readonly PlanCheckItem[], ctx: PlanCheckContext): string[] {
  const out: string[] = []
  for (const item of items) {
    if (ctx.submit && item.measures.length === 0) out.push(t('rect.validation.noMeasure', { title: item.title }))
    item.measures.forEach((m, i) => out.push(...measureErrors(m, item.title, i, ctx.base, item.modes?.[i])))
  }
  if (ctx.submit) {
    if (!ctx.principal_leader?.trim()) out.push(t('rect.validation.principalLeader'))
    if (!isDate(ctx.signed_on)) out.push(t('rect.validation.signedOn'))
  }
  return out
}

/** The bodies a reviewer ticks by default: those that have not approved this revision yet. */
export function pendingBodies(plan: Pick<Plan, 'bodies' | 'body_status'>): string[] {
  const approved = new Set(plan.body_status.filter((s) => s.decision === 'approve').map((s) => s.body))
  return plan.bodies.filter((b) => !approved.has(b))
}

// ---------------------------------------------------------------------------------------------
// The plan diff (修改对照)

export interface DiffGroups {
  added: PlanChange[]
  removed: PlanChange[]
  changed: PlanChange[]
}

export function groupDiff(diff: Pick<PlanDiff, 'changes'> | null | undefined): DiffGroups {
  const out: DiffGroups = { added: [], removed: [], changed: [] }
  for (const c of diff?.changes ?? []) {
    if (c.change === 'added') out.added.push(c)
    else if (c.change === 'removed') out.removed.push(c)
    else out.changed.push(c)
  }
  return out
}

/** The fields of a measure the diff compares, in display order. */
export const MEASURE_FIELDS = [
  'kind',
  'content',
  'target',
  'responsible_leader',
  'lead_dept',
  'co_depts',
  'deadline',
] as const
export type MeasureField = (typeof MEASURE_FIELDS)[number]

function fieldValue(m: MeasureDraft, field: MeasureField): string {
  if (field === 'co_depts') return (m.co_depts ?? []).join('、')
  if (field === 'deadline') return deadlineText({ ...m, resolved_deadline: null })
  return String(m[field] ?? '')
}

export interface MeasurePair {
  /** 1-based position. */
  n: number
  before: MeasureDraft | null
  after: MeasureDraft | null
  status: 'added' | 'removed' | 'changed' | 'same'
  /** The fields that differ (for 'changed'). */
  fields: MeasureField[]
}

/** Pairs the measures of one problem by position and marks what changed between the two revisions. */
export function pairMeasures(before: readonly MeasureDraft[], after: readonly MeasureDraft[]): MeasurePair[] {
  const out: MeasurePair[] = []
  const n = Math.max(before.length, after.length)
  for (let i = 0; i < n; i++) {
    const b = before[i] ?? null
    const a = after[i] ?? null
    if (b && !a) out.push({ n: i + 1, before: b, after: null, status: 'removed', fields: [] })
    else if (!b && a) out.push({ n: i + 1, before: null, after: a, status: 'added', fields: [] })
    else if (a && b) {
      const fields = MEASURE_FIELDS.filter((f) => fieldValue(a, f) !== fieldValue(b, f))
      out.push({ n: i + 1, before: b, after: a, status: fields.length ? 'changed' : 'same', fields })
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Evidence files

export const ALLOWED_EXTENSIONS = ['pdf', 'jpg', 'jpeg', 'png', 'doc', 'docx', 'xls', 'xlsx', 'ofd', 'zip'] as const
export const MAX_FILE_BYTES = 20 * 1024 * 1024
/** The `accept` attribute of an evidence file input. */
export const EVIDENCE_ACCEPT = ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(',')

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : ''
}

/** Why a file may not be uploaded as evidence (type by extension, size ≤ 20 MB), or null. */
export function fileError(file: { name: string; size: number }): string | null {
  const ext = extensionOf(file.name)
  if (!(ALLOWED_EXTENSIONS as readonly string[]).includes(ext)) {
    return t('rect.file.badType', { name: file.name, types: ALLOWED_EXTENSIONS.join('、') })
  }
  if (file.size > MAX_FILE_BYTES) return t('rect.file.tooLarge', { name: file.name, max: 20 })
  if (file.size === 0) return t('rect.file.empty', { name: file.name })
  return null
}

/** Splits picked files into the acceptable ones and the messages for the others. */
export function checkFiles<F extends { name: string; size: number }>(
  files: readonly F[],
): { ok: F[]; errors: string[] } {
  const ok: F[] = []
  const errors: string[] = []
  for (const f of files) {
    const error = fileError(f)
    if (error) errors.push(error)
    else ok.push(f)
  }
  return { ok, errors }
}

/** 1536 → "1.5 KB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.trunc(bytes || 0))} B`
  const units = ['KB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** A hash shortened for a table cell: the first 8 and last 4 hex digits. */
export function shortHash(hash: string | null | undefined): string {
  if (!hash) return ''
  return hash.length <= 16 ? hash : `${hash.slice(0, 8)}…${hash.slice(-4)}`
}

// ---------------------------------------------------------------------------------------------
// Forms of one item

/** The effective date of a progress report: a date, not after today. */
export function effectiveDateError(date: string | null | undefined, today: string): string | null {
  if (!isDate(date)) return t('rect.validation.effectiveDate')
  if (date > today) return t('rect.validation.effectiveDateFuture')
  return null
}

/** A new deadline asked for: a date after the current one. */
export function extensionDateError(
  newDate: string | null | undefined,
  current: string | null | undefined,
): string | null {
  if (!isDate(newDate)) return t('rect.validation.newDeadline')
  if (current && newDate <= current) return t('rect.validation.newDeadlineAfter', { date: current })
  return null
}

/** Count of an outcome record: a whole number ≥ 0 (typed as text). */
export function parseCount(text: string | number | null | undefined): number | null {
  const s = String(text ?? '').trim()
  if (!/^\d+$/.test(s)) return null
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : null
}

/** The index of the el-steps of the 明白账 trail: the steps done from the start. */
export function trailActive(trail: readonly TrailStep[]): number {
  let i = 0
  while (i < trail.length && trail[i]!.done) i++
  return i
}

// ---------------------------------------------------------------------------------------------
// Ledger query and figures

export interface LedgerFilters {
  org_id: number | null
  round_id: number | null
  round_unit_id?: number | null
  state: string
  warning: string
  category_id: number | null
  q: string
  attention: boolean
}

export function emptyLedgerFilters(): LedgerFilters {
  return {
    org_id: null,
    round_id: null,
    round_unit_id: null,
    state: '',
    warning: '',
    category_id: null,
    q: '',
    attention: false,
  }
}

/** The ledger query of the filters: blanks left out, `view` only when it is not the default. */
export function ledgerQuery(f: LedgerFilters, page?: { page: number; page_size: number }): LedgerQuery {
  const q: LedgerQuery = {}
  if (f.org_id !== null) q.org_id = f.org_id
  if (f.round_id !== null) q.round_id = f.round_id
  if (f.round_unit_id !== null && f.round_unit_id !== undefined) q.round_unit_id = f.round_unit_id
  // (A code the server does not know, say from a hand-edited address, is left out.)
  if (isCode(FINDING_STATES, f.state)) q.state = f.state
  if (isCode(WARNINGS, f.warning)) q.warning = f.warning
  if (f.category_id !== null) q.category_id = f.category_id
  const text = f.q.trim()
  if (text) q.q = text
  const view: LedgerView = f.attention ? 'attention' : 'unit'
  if (view !== 'unit') q.view = view
  if (page) {
    q.page = page.page
    q.page_size = page.page_size
  }
  return q
}

/** What a supervision letter is about: a round unit and some of its items. */
export interface LetterTarget {
  round_unit_id: number
  org_name: string
  finding_ids: number[]
  /** The suggested type; none: picked from the configured ladder. */
  letter_type?: string
  letter_name?: string
}

/** Where a notification leads inside the app (a path starting with one '/'), or null. */
export function internalLink(link: string | null | undefined): string | null {
  if (!link) return null
  if (link.startsWith('/') && !link.startsWith('//')) return link
  return null
}

// ---------------------------------------------------------------------------------------------
// Words: one word per state

/**
 * A plan's state in one word everywhere: 未编制 while nothing is saved (no plan, or the server's
 * unsaved plan with id 0), 草稿 once saved and not submitted, then the server's names.
 */
export function planStateLabel(
  plan: { id?: number; state?: string | null; state_name?: string | null } | null | undefined,
): string {
  if (!plan || !plan.state || plan.id === 0) return t('rect.field.noPlan')
  return plan.state_name || t(`rect.planStates.${plan.state}`)
}
