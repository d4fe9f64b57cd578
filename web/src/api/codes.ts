// The codes of rectification (整改) records: states, kinds, outcomes, warnings, … The server sends them
// as strings; until its OpenAPI document names them as enum schemas, the unions are written here, one
// alias each. When `components['schemas']` has one (after `npm run gen:api`), its alias becomes
// `components['schemas']['FindingState']` (one line); the arrays below then check against the
// server's own list. The screens import these through api/rect.ts.

export type FindingState =
  'FED_BACK' | 'PLANNED' | 'IN_PROGRESS' | 'CLOSE_REQUESTED' | 'CLOSED' | 'LONG_TERM' | 'REOPENED'
export type MeasureKind = 'immediate' | 'deadline' | 'long_term'
export type Outcome = 'completed' | 'basically_completed' | 'in_progress' | 'not_completed'
export type Warning = 'green' | 'yellow' | 'red'
export type PlanState = 'DRAFT' | 'SUBMITTED' | 'RETURNED' | 'APPROVED'
export type WriteOffState = 'REQUESTED' | 'VERIFIED' | 'RETURNED'
export type ExtensionState = 'PENDING' | 'APPROVED' | 'REJECTED'
export type OutcomeKind = 'rule' | 'money_returned' | 'loss_recovered' | 'accountability'
export type ReportKind = 'rect_report' | 'life_meeting' | 'periodic'
/** The ledger's `view` parameter: unit (default), office (rounds run by the caller's organisation), attention. */
export type LedgerView = 'unit' | 'office' | 'attention'
export type StatsGroup = 'unit' | 'level' | 'round' | 'category'
/**
 * What the caller may do with an item now (`RectItem.actions`). The server also lists 'letter' (a
 * supervision letter, rect:supervise), which the schema's description of `actions` leaves out.
 */
export type ItemAction =
  'progress' | 'write_off' | 'verify' | 'reopen' | 'extend' | 'outcome' | 'letter' | 'explain' | 'measure_done'
export type TrailStepCode = 'report' | 'handover' | 'transfer' | 'check' | 'write_off'
export type HolidayKind = 'holiday' | 'workday'

/** Narrows a string (a route query, a select's value) to one of the codes of `list`. */
export function isCode<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return (list as readonly (string | null | undefined)[]).includes(value)
}

// The lists the screens build options and locale keys from (tests/unit/codes.spec.ts checks at type
// level that each full list names every code of its union).

export const FINDING_STATES = [
  'FED_BACK',
  'PLANNED',
  'IN_PROGRESS',
  'CLOSE_REQUESTED',
  'CLOSED',
  'LONG_TERM',
  'REOPENED',
] as const satisfies readonly FindingState[]
export const MEASURE_KINDS = ['immediate', 'deadline', 'long_term'] as const satisfies readonly MeasureKind[]
export const OUTCOMES = [
  'completed',
  'basically_completed',
  'in_progress',
  'not_completed',
] as const satisfies readonly Outcome[]
/** The outcomes a write-off may be requested with. */
export const WRITE_OFF_OUTCOMES = ['completed', 'basically_completed'] as const satisfies readonly Outcome[]
/** The outcomes of an item the unit cannot finish (POST /findings/{id}/explain). */
export const EXPLAIN_OUTCOMES = ['not_completed', 'in_progress'] as const satisfies readonly Outcome[]
export const WARNINGS = ['green', 'yellow', 'red'] as const satisfies readonly Warning[]
export const PLAN_STATES = ['DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED'] as const satisfies readonly PlanState[]
export const OUTCOME_KINDS = [
  'rule',
  'money_returned',
  'loss_recovered',
  'accountability',
] as const satisfies readonly OutcomeKind[]
export const REPORT_KINDS = ['rect_report', 'life_meeting', 'periodic'] as const satisfies readonly ReportKind[]
export const STATS_GROUPS = ['unit', 'level', 'round', 'category'] as const satisfies readonly StatsGroup[]
export const TRAIL_STEPS = [
  'report',
  'handover',
  'transfer',
  'check',
  'write_off',
] as const satisfies readonly TrailStepCode[]
