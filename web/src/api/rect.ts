// Rectification (整改): the ledger, one item's progress, write-off and extensions, plans and their
// review (会审), reports, supervision letters, settings, holidays and statistics.
// Written by hand against docs/design/rectification-api.md until the generated schema has the /rect
// paths; field names follow the contract exactly.
import { get, post, put, upload, withQuery, formData, type Query } from './http'

const BASE = '/api/v1/rect'

// ---------------------------------------------------------------------------------------------
// Codes

export type FindingState = 'FED_BACK' | 'PLANNED' | 'IN_PROGRESS' | 'CLOSE_REQUESTED' | 'CLOSED' | 'LONG_TERM' | 'REOPENED'
export const FINDING_STATES: readonly FindingState[] = ['FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED']

export type MeasureKind = 'immediate' | 'deadline' | 'long_term'
export const MEASURE_KINDS: readonly MeasureKind[] = ['immediate', 'deadline', 'long_term']

export type Outcome = 'completed' | 'basically_completed' | 'in_progress' | 'not_completed'
export const OUTCOMES: readonly Outcome[] = ['completed', 'basically_completed', 'in_progress', 'not_completed']
/** The outcomes a write-off may be requested with. */
export const WRITE_OFF_OUTCOMES: readonly Outcome[] = ['completed', 'basically_completed']
/** The outcomes of an item the unit cannot finish (POST /findings/{id}/explain). */
export const EXPLAIN_OUTCOMES: readonly Outcome[] = ['not_completed', 'in_progress']

export type Warning = 'green' | 'yellow' | 'red'
export const WARNINGS: readonly Warning[] = ['green', 'yellow', 'red']

export type PlanState = 'DRAFT' | 'SUBMITTED' | 'RETURNED' | 'APPROVED'
export const PLAN_STATES: readonly PlanState[] = ['DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED']

export type WriteOffState = 'REQUESTED' | 'VERIFIED' | 'RETURNED'
export type ExtensionState = 'PENDING' | 'APPROVED' | 'REJECTED'

export type OutcomeKind = 'rule' | 'money_returned' | 'loss_recovered' | 'accountability'
export const OUTCOME_KINDS: readonly OutcomeKind[] = ['rule', 'money_returned', 'loss_recovered', 'accountability']

export type ReportKind = 'rect_report' | 'life_meeting' | 'periodic'
export const REPORT_KINDS: readonly ReportKind[] = ['rect_report', 'life_meeting', 'periodic']

export type LedgerView = 'unit' | 'attention'
export type StatsGroup = 'unit' | 'level' | 'round' | 'category'
export const STATS_GROUPS: readonly StatsGroup[] = ['unit', 'level', 'round', 'category']

/**
 * What the caller may do with an item now (`RectItem.actions`). The contract lists the first seven;
 * the server also lists 'explain' (the "cannot finish" explanation) where the unit may give one.
 */
export type ItemAction = 'progress' | 'write_off' | 'verify' | 'reopen' | 'extend' | 'outcome' | 'letter' | 'explain'

export type TrailStepCode = 'report' | 'handover' | 'transfer' | 'check' | 'write_off'
export const TRAIL_STEPS: readonly TrailStepCode[] = ['report', 'handover', 'transfer', 'check', 'write_off']

export type HolidayKind = 'holiday' | 'workday'

// ---------------------------------------------------------------------------------------------
// Records

export interface LedgerRow {
  id: number
  round_id: number
  round_name: string
  round_unit_id: number
  org_id: number
  org_name: string
  category_name: string | null
  title: string
  state: string
  state_name: string
  outcome: string | null
  outcome_name: string | null
  deadline: string | null
  original_deadline: string | null
  extensions: number
  warning: Warning | null
  /** Working days past the deadline, 0 if not overdue. */
  overdue_days: number
  measure_count: number
  progress_count: number
  last_progress_on: string | null
  closed_on: string | null
  letter_count: number
  version: number
  /** The unit's latest "cannot finish" explanation (the server sends it; not in the contract's list). */
  explanation?: string | null
}

export interface LedgerPage {
  items: LedgerRow[]
  total: number
}

export interface LedgerQuery {
  org_id?: number | null
  round_id?: number | null
  round_unit_id?: number | null
  state?: string | null
  warning?: string | null
  category_id?: number | null
  q?: string | null
  view?: LedgerView | null
  page?: number
  page_size?: number
}

export interface Measure {
  id: number
  kind: MeasureKind
  kind_name: string
  content: string
  target: string
  responsible_leader: string
  lead_dept: string
  co_depts: string[]
  deadline: string
  original_deadline: string
  state: 'OPEN' | 'DONE'
  version: number
}

export interface FileLink {
  id: number
  name: string
  /** SM3, hex. */
  hash: string
  size: number
  media_type: string
  version_no: number
  effective_date: string
  uploaded_at: string
  uploaded_by_name: string
  /** '/api/v1/rect/files/{id}' */
  url: string
}

export interface Progress {
  id: number
  effective_date: string
  reported_at: string
  reported_by_name: string
  content: string
  outcome: string | null
  files: FileLink[]
}

export interface WriteOff {
  id: number
  state: WriteOffState
  state_name: string
  outcome: string
  outcome_name: string
  explanation: string
  requested_at: string
  requested_by_name: string
  decided_at: string | null
  decided_by_name: string | null
  reason: string | null
  files: FileLink[]
  /**
   * The request's own version, checked by POST /write-offs/{id}/decide (the server sends it; the
   * contract does not list it, so the item's version stands in when it is missing).
   */
  version?: number
}

export interface Extension {
  id: number
  measure_id: number | null
  old_deadline: string
  new_deadline: string
  reason: string
  state: ExtensionState
  state_name: string
  requested_by_name: string
  requested_at: string
  decided_by_name: string | null
  decided_at: string | null
  opinion: string | null
}

/** A pending extension in the reviewers' list (GET /rect/extensions). */
export interface ExtensionListed extends Extension {
  finding_id: number
  title: string
  org_name: string
}

export interface OutcomeRecord {
  id: number
  kind: OutcomeKind
  kind_name: string
  detail: string
  count: number
  amount_fen: number
  person: string | null
  treatment: string | null
  recorded_at: string
}

export interface Letter {
  id: number
  letter_type: string
  letter_name: string
  doc_no: string
  round_unit_id: number
  org_name: string
  finding_ids: number[]
  requirement: string
  new_deadline: string | null
  issued_at: string
  issued_by_name: string
  /** '/api/v1/rect/letters/{id}/docx' */
  url: string
}

export interface TrailStep {
  step: TrailStepCode
  name: string
  done: boolean
  at: string | null
  detail: string
}

export interface RectEvent {
  at: string
  actor_name: string
  from: string | null
  to: string
  from_name: string | null
  to_name: string
  comment: string
}

export interface RectItem {
  row: LedgerRow
  facts: string
  basis: string
  responsibility: string
  measures: Measure[]
  progress: Progress[]
  write_offs: WriteOff[]
  extensions: Extension[]
  outcomes: OutcomeRecord[]
  letters: Letter[]
  trail: TrailStep[]
  events: RectEvent[]
  actions: ItemAction[]
}

// Plans and their review.

export interface MeasureDraft {
  kind: MeasureKind
  content: string
  target: string
  responsible_leader: string
  lead_dept: string
  co_depts: string[]
  /** A date, or null when the deadline is given in working days. */
  deadline: string | null
  /** N working days from the feedback date, or null when a date is given. */
  deadline_working_days: number | null
  /** The date the server worked out (read only). */
  resolved_deadline: string | null
}

export interface PlanComment {
  id: number
  body: string
  text: string
  reviewer_name: string
  at: string
  revision: number
}

export interface PlanItem {
  finding_id: number
  title: string
  category_name: string | null
  measures: MeasureDraft[]
  comments: PlanComment[]
}

export interface Review {
  id: number
  body: string
  decision: 'approve' | 'return'
  decision_name?: string
  opinion: string
  reviewer_name: string
  at: string
  revision: number
}

export interface BodyStatus {
  body: string
  decision: 'approve' | 'return' | null
  reviewer_name: string | null
  at: string | null
}

export interface Plan {
  id: number
  round_unit_id: number
  revision: number
  state: PlanState
  state_name: string
  principal_leader: string
  signed_on: string | null
  summary: string
  submitted_at: string | null
  decided_at: string | null
  version: number
  items: PlanItem[]
  reviews: Review[]
  /** The configured review bodies. */
  bodies: string[]
  body_status: BodyStatus[]
}

export interface RoundUnitRef {
  id: number
  round_name: string
  org_id: number
  org_name: string
  feedback_date: string | null
  rectification_due: string | null
}

export interface PlanRevision {
  id: number
  revision: number
  state: PlanState
  state_name: string
  submitted_at: string | null
}

export interface PlanView {
  unit: RoundUnitRef
  plan: Plan | null
  revisions: PlanRevision[]
  can_edit: boolean
  can_review: boolean
}

export interface PlanChange {
  finding_id: number
  title: string
  change: 'added' | 'removed' | 'changed'
  before: MeasureDraft[]
  after: MeasureDraft[]
}

export interface PlanDiff {
  revision: number
  /** Null for the first revision. */
  previous_revision: number | null
  changes: PlanChange[]
}

export interface PlanSave {
  principal_leader: string
  signed_on: string | null
  summary: string
  items: { finding_id: number; measures: MeasureDraft[] }[]
  version: number
}

export interface PlanReviewBody {
  bodies: string[]
  decision: 'approve' | 'return'
  opinion: string
  comments: { finding_id: number; text: string }[]
  version: number
}

/** A round unit in rectification (GET /rect/units). */
export interface RectUnit {
  id: number
  round_id: number
  round_name: string
  org_id: number
  org_name: string
  feedback_date: string | null
  rectification_due: string | null
  plan_state: string | null
  /** The plan state's label, when the server sends it. */
  plan_state_name?: string | null
  /** The office that ran the round, when the server sends it. */
  owner_org_name?: string
  total: number
  closed: number
  /** Overdue items (contract); absent when the server leaves it out. */
  overdue?: number
}

// Reports and meetings.

export interface RectReport {
  id: number
  round_unit_id: number
  kind: ReportKind
  kind_name: string
  title: string
  content: string
  principal_leader: string
  signed_on: string
  meeting_date: string | null
  participants: string | null
  filed_at: string | null
  filed_to_name: string | null
  created_at: string
  /** '/api/v1/rect/reports/{id}/docx' */
  url: string
}

export interface ReportCreate {
  kind: ReportKind
  title: string
  content: string
  principal_leader: string
  signed_on: string
  meeting_date?: string
  participants?: string
}

// Settings, holidays, letters.

export interface LetterRung {
  code: string
  name: string
  after_overdue_days: number
}

export interface RectSettings {
  review_bodies: string[]
  /** Working days before the deadline from which an item is yellow. */
  yellow_within: number
  plan_due_working_days: number
  long_term_report_months: number
  letter_ladder: LetterRung[]
  version: number
}

export interface Holiday {
  date: string
  kind: HolidayKind
  name: string
}

export interface LetterSuggestion {
  round_unit_id: number
  org_name: string
  letter_type: string
  letter_name: string
  finding_ids: number[]
  overdue_days: number
}

export interface LetterCreate {
  round_unit_id: number
  letter_type: string
  finding_ids: number[]
  requirement: string
  new_deadline?: string
}

// Statistics.

export interface RectStats {
  total: number
  completed: number
  /** A percentage (e.g. 98.71), as the server computes it. */
  completion_rate: number
  due: number
  completed_on_time: number
  on_time_rate: number
  open: number
  overdue: number
  overdue_rate: number
  long_term: number
  extended: number
  extensions: number
  ageing: { d0_30: number; d31_90: number; d91_180: number; d180_plus: number }
}

export interface RectStatsAnswer {
  totals: RectStats
  rows: { key: string; label: string; stats: RectStats }[]
}

export interface ImportResult {
  imported: number
}

/** What a create answers: the contract gives the whole record, the server at least its id. */
export interface CreatedRef {
  id: number
}

// ---------------------------------------------------------------------------------------------
// Ledger

/** The filters of the ledger as query parameters (page and size included). */
export function ledgerParams(query: LedgerQuery): Query {
  return { ...query } as Query
}

export function ledger(query: LedgerQuery): Promise<LedgerPage> {
  return get(`${BASE}/ledger`, ledgerParams(query))
}

/** The .xlsx of the ledger with the same filters (no paging), as a plain download link. */
export function ledgerExportUrl(query: LedgerQuery): string {
  const filters: LedgerQuery = { ...query }
  delete filters.page
  delete filters.page_size
  return withQuery(`${BASE}/ledger/export`, ledgerParams(filters))
}

export function importLedger(unitId: number, file: File): Promise<ImportResult> {
  return upload(`${BASE}/units/${unitId}/ledger/import`, formData({}, [file]))
}

/** The .zip of every evidence file in scope (optionally one organisation's subtree, one round). */
export function archiveUrl(query: { org_id?: number | null; round_id?: number | null }): string {
  return withQuery(`${BASE}/archive`, query)
}

// One item.

export function item(id: number): Promise<RectItem> {
  return get(`${BASE}/findings/${id}`)
}

export function reportProgress(
  id: number,
  body: { content: string; effective_date: string; outcome?: string | null },
  files: readonly File[],
): Promise<CreatedRef> {
  return upload(`${BASE}/findings/${id}/progress`, formData(body, files))
}

export function requestWriteOff(
  id: number,
  body: { outcome: string; explanation: string },
  files: readonly File[],
): Promise<CreatedRef> {
  return upload(`${BASE}/findings/${id}/write-off`, formData(body, files))
}

export function decideWriteOff(
  writeOffId: number,
  body: { decision: 'verify' | 'return'; reason: string; version: number },
): Promise<RectItem> {
  return post(`${BASE}/write-offs/${writeOffId}/decide`, body)
}

export function reopen(id: number, reason: string, version: number): Promise<RectItem> {
  return post(`${BASE}/findings/${id}/reopen`, { reason, version })
}

export function explain(
  id: number,
  body: { outcome: 'not_completed' | 'in_progress'; explanation: string; version: number },
): Promise<RectItem> {
  return post(`${BASE}/findings/${id}/explain`, body)
}

export function requestExtension(id: number, body: { measure_id: number; new_deadline: string; reason: string }): Promise<CreatedRef> {
  return post(`${BASE}/findings/${id}/extensions`, body)
}

export function extensions(state: ExtensionState = 'PENDING'): Promise<ExtensionListed[]> {
  return get(`${BASE}/extensions`, { state })
}

export function decideExtension(extensionId: number, approve: boolean, opinion: string): Promise<Extension> {
  return post(`${BASE}/extensions/${extensionId}/decide`, { approve, opinion })
}

export function addOutcome(
  id: number,
  body: { kind: OutcomeKind; detail: string; count: number; amount_fen: number; person?: string; treatment?: string },
): Promise<CreatedRef> {
  return post(`${BASE}/findings/${id}/outcomes`, body)
}

export function fileUrl(fileId: number): string {
  return `${BASE}/files/${fileId}`
}

// Plans.

export function units(): Promise<RectUnit[]> {
  return get(`${BASE}/units`)
}

export function plan(unitId: number): Promise<PlanView> {
  return get(`${BASE}/units/${unitId}/plan`)
}

/**
 * The plan of an answer: the contract answers a Plan, the server may answer the whole PlanView;
 * either way the screens get the Plan.
 */
export function planOf(answer: Plan | PlanView): Plan {
  if ('unit' in answer && 'revisions' in answer) {
    if (!answer.plan) throw new Error('plan missing in answer')
    return answer.plan
  }
  return answer as Plan
}

export async function savePlan(unitId: number, body: PlanSave): Promise<Plan> {
  return planOf(await put<Plan | PlanView>(`${BASE}/units/${unitId}/plan`, body))
}

export async function submitPlan(planId: number, version: number): Promise<Plan> {
  return planOf(await post<Plan | PlanView>(`${BASE}/plans/${planId}/submit`, { version }))
}

export async function reviewPlan(planId: number, body: PlanReviewBody): Promise<Plan> {
  return planOf(await post<Plan | PlanView>(`${BASE}/plans/${planId}/review`, body))
}

export function planDiff(planId: number): Promise<PlanDiff> {
  return get(`${BASE}/plans/${planId}/diff`)
}

// Reports.

export function reports(unitId: number): Promise<RectReport[]> {
  return get(`${BASE}/units/${unitId}/reports`)
}

export function createReport(unitId: number, body: ReportCreate): Promise<RectReport> {
  return post(`${BASE}/units/${unitId}/reports`, body)
}

export function fileReport(reportId: number): Promise<RectReport> {
  return post(`${BASE}/reports/${reportId}/file`, {})
}

export function reportDocxUrl(reportId: number): string {
  return `${BASE}/reports/${reportId}/docx`
}

// Settings and holidays.

export function settings(): Promise<RectSettings> {
  return get(`${BASE}/settings`)
}

export function saveSettings(body: RectSettings): Promise<RectSettings> {
  return put(`${BASE}/settings`, body)
}

export function holidays(year: number): Promise<Holiday[]> {
  return get(`${BASE}/holidays`, { year })
}

export function importHolidays(file: File): Promise<ImportResult> {
  return upload(`${BASE}/holidays/import`, formData({}, [file]))
}

// Letters.

export function letters(roundUnitId?: number | null): Promise<Letter[]> {
  return get(`${BASE}/letters`, { round_unit_id: roundUnitId })
}

export function letterSuggestions(): Promise<LetterSuggestion[]> {
  return get(`${BASE}/letters/suggestions`)
}

export function issueLetter(body: LetterCreate): Promise<Letter> {
  return post(`${BASE}/letters`, body)
}

export function letterDocxUrl(letterId: number): string {
  return `${BASE}/letters/${letterId}/docx`
}

// Statistics.

export function stats(query: { group: StatsGroup; round_id?: number | null; org_id?: number | null }): Promise<RectStatsAnswer> {
  return get(`${BASE}/stats`, query)
}
