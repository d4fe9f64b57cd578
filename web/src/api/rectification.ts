// Rectification (整改): the ledger, one item's progress, write-off and extensions, plans and their
// review (会审), reports, supervision letters, settings, holidays and statistics.
// The records are the generated types of the server's OpenAPI document (schema.d.ts); the calls go
// through the typed client of client.ts (paths checked against the document, multipart uploads
// included), and the download links are built from the same typed paths.
import { client, compact, href, multipart, unwrap, type Compact } from './client'
import type { components } from './schema'

type S = components['schemas']

// ---------------------------------------------------------------------------------------------
// Codes (api/codes.ts: one alias per union, to follow the schema's enums when it names them)

export * from './codes'
import type { ExtensionState, FindingState, LedgerView, PlanQueue, StatsGroup, Warning } from './codes'

// ---------------------------------------------------------------------------------------------
// Records: the server's own types (schema.d.ts, generated from its OpenAPI document). Code fields
// (state, kind, warning, actions, …) carry the enum schemas that the aliases above name.

/** One line of the 整改台账. */
export type LedgerRow = S['LedgerRowDto']
export type LedgerPage = S['LedgerPage']
/** One line of the 任务清单 (a measure with its problem). */
export type TaskLine = S['TaskLineDto']
export type TaskPage = S['TaskPage']
/** One group of the 责任清单 (a responsible leader and lead department with their measures). */
export type OwnerGroup = S['OwnerGroupDto']
export type OwnerPage = S['OwnerPage']
/** The three lists of 三清单一台账 on the ledger page. */
export type LedgerList = 'problems' | 'tasks' | 'owners'
export const LEDGER_LISTS: readonly LedgerList[] = ['problems', 'tasks', 'owners']

/** The ledger's filters as query parameters (hand-written: a query, not a schema). */
export interface LedgerQuery {
  org_id?: number | null
  round_id?: number | null
  round_unit_id?: number | null
  state?: FindingState | null
  warning?: Warning | null
  category_id?: number | null
  q?: string | null
  view?: LedgerView | null
  page?: number
  page_size?: number
}

export type Measure = S['MeasureDto']
export type FileLink = S['FileLinkDto']
export type Progress = S['ProgressDto']
/** A write-off request; its own `version` is what POST /write-offs/{id}/decide checks. */
export type WriteOff = S['WriteOffDto']
/** An extension request, on an item or in the reviewers' list (GET /rect/extensions): one shape. */
export type Extension = S['ExtensionDto']
export type ExtensionListed = S['ExtensionDto']
export type ExtensionPage = S['ExtensionPage']
export type OutcomeRecord = S['OutcomeDto']
export type Letter = S['LetterDto']
export type LetterPage = S['LetterPage']
export type TrailStep = S['TrailStep']
export type RectEvent = S['EventDto']
export type RectItem = S['RectItem']

// Plans and their review.

/** A measure of a plan as saved and answered (`resolved_deadline` is output only). */
export type MeasureDraft = S['MeasureDraftDto']
export type PlanComment = S['CommentDto']
export type PlanItem = S['PlanItemDto']
export type Review = S['ReviewDto']
export type BodyStatus = S['BodyStatus']
/** The latest revision of a unit's plan; a fresh draft (id 0, revision 0) when none is saved yet. */
export type Plan = S['PlanDto']
/** The round unit of a plan view. */
export type RoundUnitRef = S['RectUnitDto']
export type PlanRevision = S['RevisionRef']
export type PlanView = S['PlanView']
export type PlanChange = S['ItemDiff']
export type PlanDiff = S['PlanDiff']
export type PlanItemSave = S['PlanItemSave']
export type PlanSave = S['PlanSave']
export type PlanReviewBody = S['ReviewBody']
export type ItemComment = S['ItemComment']

/** A round unit in rectification (GET /rect/units). */
export type RectUnit = S['RectUnitDto']
export type RectUnitPage = S['RectUnitPage']

/**
 * Query of GET /rect/units: `q` is part of the inspected organisation's name or code; `plan` keeps the units
 * awaiting 会审 (to_review) or the unit's to draft or resubmit (to_draft).
 */
export interface RectUnitQuery {
  q?: string
  plan?: PlanQueue
  page?: number
  page_size?: number
}

// Reports and meetings.

export type RectReport = S['ReportDto']
export type ReportCreate = S['ReportSave']

// Settings, holidays, letters.

export type LetterRung = S['LetterRungDto']
export type RectSettings = S['RectSettingsDto']
export type Holiday = S['HolidayDto']
export type LetterSuggestion = S['LetterSuggestion']
export type LetterCreate = S['LetterBody']

// Statistics.

export type RectStats = S['RectStatsDto']
export type Ageing = S['Ageing']
export type StatRow = S['StatRow']
export type OutcomeTotal = S['OutcomeTotal']
export type RectStatsAnswer = S['RectStatsResponse']

export type ImportResult = S['ImportResult']
/** What a create answers (progress, write-off, extension, outcome): the new record's id. */
export type CreatedRef = S['Created']

// Request bodies.

/** The fields of a progress report (multipart; the evidence files go alongside). */
export type ProgressFields = Omit<S['ProgressForm'], 'file'>
/** The fields of a write-off request (multipart; the evidence files go alongside). */
export type WriteOffFields = Omit<S['WriteOffForm'], 'file'>
export type DecideBody = S['DecideBody']
export type ExplainBody = S['ExplainBody']
export type ExtensionBody = S['ExtensionBody']
export type OutcomeBody = S['OutcomeBody']

/** Query of GET /rect/stats (hand-written: a query, not a schema). */
export interface StatsQuery {
  group: StatsGroup
  round_id?: number | null
  org_id?: number | null
  /** With page_size: one page of the groups (the totals stay those of all groups). */
  page?: number
  page_size?: number
}

// ---------------------------------------------------------------------------------------------
// Ledger

/** The filters of the ledger as query parameters (page and size included; blank filters left out). */
export function ledgerParams(query: LedgerQuery): Compact<LedgerQuery> {
  return compact(query)
}

/** Where a ledger page starts when read by key: the `next` (`after`) or `prev` (`before`) cursor of the page
 *  beside it (then `page` is not sent; the cursor knows its page number). */
export interface LedgerCursor {
  after?: string
  before?: string
}

/** One page of the ledger: by `page`, or by key from a neighbouring page's cursor. */
export function ledger(query: LedgerQuery & LedgerCursor): Promise<LedgerPage> {
  return unwrap(client.GET('/api/v1/rect/ledger', { params: { query: compact(query) } }))
}

/** The 任务清单: one line per measure, with the ledger's filters. */
export function taskList(query: LedgerQuery): Promise<TaskPage> {
  return unwrap(client.GET('/api/v1/rect/lists/tasks', { params: { query: ledgerParams(query) } }))
}

/** The 责任清单: measures grouped by responsible leader and lead department. */
export function ownerList(query: LedgerQuery): Promise<OwnerPage> {
  return unwrap(client.GET('/api/v1/rect/lists/owners', { params: { query: ledgerParams(query) } }))
}

/** The .xlsx of the ledger with the same filters (no paging), as a plain download link: the 台账
 *  and the 问题清单, 任务清单 and 责任清单 sheets. */
export function ledgerExportUrl(query: LedgerQuery): string {
  const filters: LedgerQuery = { ...query }
  delete filters.page
  delete filters.page_size
  return href('/api/v1/rect/ledger/export', { query: ledgerParams(filters) })
}

export function importLedger(unitId: number, file: File): Promise<ImportResult> {
  return unwrap(
    client.POST('/api/v1/rect/units/{id}/ledger/import', {
      params: { path: { id: unitId } },
      ...multipart<S['ImportForm']>({}, [file]),
    }),
  )
}

/** The .zip of every evidence file in scope (optionally one organisation's subtree, one round). */
export function archiveUrl(query: { org_id?: number | null; round_id?: number | null }): string {
  return href('/api/v1/rect/archive', { query: compact(query) })
}

// One item.

export function item(id: number): Promise<RectItem> {
  return unwrap(client.GET('/api/v1/rect/findings/{id}', { params: { path: { id } } }))
}

export function reportProgress(id: number, body: ProgressFields, files: readonly File[]): Promise<CreatedRef> {
  return unwrap(
    client.POST('/api/v1/rect/findings/{id}/progress', {
      params: { path: { id } },
      ...multipart<S['ProgressForm']>(body, files),
    }),
  )
}

export function requestWriteOff(id: number, body: WriteOffFields, files: readonly File[]): Promise<CreatedRef> {
  return unwrap(
    client.POST('/api/v1/rect/findings/{id}/write-off', {
      params: { path: { id } },
      ...multipart<S['WriteOffForm']>(body, files),
    }),
  )
}

/** `decision`: 'verify' | 'return'; `version`: the write-off request's own version. */
export function decideWriteOff(writeOffId: number, body: DecideBody): Promise<RectItem> {
  return unwrap(client.POST('/api/v1/rect/write-offs/{id}/decide', { params: { path: { id: writeOffId } }, body }))
}

export function reopen(id: number, reason: string, version: number): Promise<RectItem> {
  return unwrap(
    client.POST('/api/v1/rect/findings/{id}/reopen', { params: { path: { id } }, body: { reason, version } }),
  )
}

/** The unit reports one measure done: the item's warning then follows its next open measure. */
export function measureDone(measureId: number, version: number): Promise<RectItem> {
  return unwrap(
    client.POST('/api/v1/rect/measures/{id}/done', { params: { path: { id: measureId } }, body: { version } }),
  )
}

/** `outcome`: one of EXPLAIN_OUTCOMES. */
export function explain(id: number, body: ExplainBody): Promise<RectItem> {
  return unwrap(client.POST('/api/v1/rect/findings/{id}/explain', { params: { path: { id } }, body }))
}

export function requestExtension(id: number, body: ExtensionBody): Promise<CreatedRef> {
  return unwrap(client.POST('/api/v1/rect/findings/{id}/extensions', { params: { path: { id } }, body }))
}

/** Query of GET /rect/extensions (the reviewers' list). */
export interface ExtensionQuery {
  state?: ExtensionState
  page?: number
  page_size?: number
}

/**
 * One page of the extension requests in scope (page 1-based, page_size 1..200, 20 by default) with the total;
 * the pending ones unless another state is asked for.
 */
export function extensions(query: ExtensionQuery = {}): Promise<ExtensionPage> {
  const { state = 'PENDING', ...paging } = query
  return unwrap(client.GET('/api/v1/rect/extensions', { params: { query: { state, ...paging } } }))
}

export function decideExtension(extensionId: number, approve: boolean, opinion: string): Promise<Extension> {
  return unwrap(
    client.POST('/api/v1/rect/extensions/{id}/decide', {
      params: { path: { id: extensionId } },
      body: { approve, opinion },
    }),
  )
}

export function addOutcome(id: number, body: OutcomeBody): Promise<CreatedRef> {
  return unwrap(client.POST('/api/v1/rect/findings/{id}/outcomes', { params: { path: { id } }, body }))
}

export function fileUrl(fileId: number): string {
  return href('/api/v1/rect/files/{id}', { path: { id: fileId } })
}

/** A round offered by the round filters. */
export type RoundChoice = S['RoundChoice']

/** The rounds with units in rectification in the caller's scope, newest first. */
export function rounds(): Promise<RoundChoice[]> {
  return unwrap(client.GET('/api/v1/rect/rounds'))
}

// Plans.

/** One page of the round units in rectification (page 1-based, page_size 1..200, 20 by default) with the total. */
export function units(query: RectUnitQuery = {}): Promise<RectUnitPage> {
  return unwrap(client.GET('/api/v1/rect/units', { params: { query: compact(query) } }))
}

export function plan(unitId: number): Promise<PlanView> {
  return unwrap(client.GET('/api/v1/rect/units/{id}/plan', { params: { path: { id: unitId } } }))
}

// Saving, submitting and reviewing answer the whole PlanView; the screens take its plan.

export async function savePlan(unitId: number, body: PlanSave): Promise<Plan> {
  return (await unwrap(client.PUT('/api/v1/rect/units/{id}/plan', { params: { path: { id: unitId } }, body }))).plan
}

export async function submitPlan(planId: number, version: number): Promise<Plan> {
  return (
    await unwrap(client.POST('/api/v1/rect/plans/{id}/submit', { params: { path: { id: planId } }, body: { version } }))
  ).plan
}

export async function reviewPlan(planId: number, body: PlanReviewBody): Promise<Plan> {
  return (await unwrap(client.POST('/api/v1/rect/plans/{id}/review', { params: { path: { id: planId } }, body }))).plan
}

export function planDiff(planId: number): Promise<PlanDiff> {
  return unwrap(client.GET('/api/v1/rect/plans/{id}/diff', { params: { path: { id: planId } } }))
}

// Reports.

export function reports(unitId: number): Promise<RectReport[]> {
  return unwrap(client.GET('/api/v1/rect/units/{id}/reports', { params: { path: { id: unitId } } }))
}

export function createReport(unitId: number, body: ReportCreate): Promise<RectReport> {
  return unwrap(client.POST('/api/v1/rect/units/{id}/reports', { params: { path: { id: unitId } }, body }))
}

export function fileReport(reportId: number): Promise<RectReport> {
  return unwrap(client.POST('/api/v1/rect/reports/{id}/file', { params: { path: { id: reportId } } }))
}

export function reportDocxUrl(reportId: number): string {
  return href('/api/v1/rect/reports/{id}/docx', { path: { id: reportId } })
}

// Settings and holidays.

export function settings(): Promise<RectSettings> {
  return unwrap(client.GET('/api/v1/rect/settings'))
}

export function saveSettings(body: RectSettings): Promise<RectSettings> {
  return unwrap(client.PUT('/api/v1/rect/settings', { body }))
}

export function holidays(year: number): Promise<Holiday[]> {
  return unwrap(client.GET('/api/v1/rect/holidays', { params: { query: { year } } }))
}

/** Drops the caller's office's own settings: it inherits again (恢复继承). */
export function inheritSettings(): Promise<RectSettings> {
  return unwrap(client.DELETE('/api/v1/rect/settings'))
}

/** Drops the caller's office's own calendar days of `year`: it follows the offices above again. */
export function dropHolidays(year: number): Promise<S['HolidaysDropped']> {
  return unwrap(client.DELETE('/api/v1/rect/holidays', { params: { query: { year } } }))
}

export function importHolidays(file: File): Promise<ImportResult> {
  return unwrap(client.POST('/api/v1/rect/holidays/import', multipart<S['ImportForm']>({}, [file])))
}

// Letters.

/** Query of GET /rect/letters: `round_unit_id` keeps the letters of one round unit. */
export interface LetterQuery {
  round_unit_id?: number | null
  page?: number
  page_size?: number
}

/** One page of the letters issued in scope, newest first (page 1-based, page_size 1..200, 20 by default). */
export function letters(query: LetterQuery = {}): Promise<LetterPage> {
  return unwrap(client.GET('/api/v1/rect/letters', { params: { query: compact(query) } }))
}

export function letterSuggestions(): Promise<LetterSuggestion[]> {
  return unwrap(client.GET('/api/v1/rect/letters/suggestions'))
}

export function issueLetter(body: LetterCreate): Promise<Letter> {
  return unwrap(client.POST('/api/v1/rect/letters', { body }))
}

/** Withdraws an issued letter with a reason; its number is kept and its .docx stays downloadable. */
export function withdrawLetter(letterId: number, reason: string, version?: number): Promise<Letter> {
  return unwrap(
    client.POST('/api/v1/rect/letters/{id}/withdraw', {
      params: { path: { id: letterId } },
      body: { reason, version },
    }),
  )
}

export function letterDocxUrl(letterId: number): string {
  return href('/api/v1/rect/letters/{id}/docx', { path: { id: letterId } })
}

// Statistics.

export function stats(query: StatsQuery): Promise<RectStatsAnswer> {
  return unwrap(client.GET('/api/v1/rect/stats', { params: { query: compact(query) } }))
}
