// The codes of rectification (整改) records: states, kinds, outcomes, warnings, … They are the named
// enum schemas of the server's OpenAPI document (generated into schema.d.ts), one alias each, so
// the record fields that carry them and these aliases are the same types. The screens import
// these through api/rectification.ts.
import type { components } from './schema'

type S = components['schemas']

/** Every state of a finding, from the workpaper (DRAFT, CONFIRMED, IN_REPORT) to the ledger's. */
export type FindingState = S['FindingState']
export type MeasureKind = S['MeasureKind']
export type MeasureState = S['MeasureState']
export type Outcome = S['Outcome']
export type Warning = S['Warning']
export type PlanState = S['PlanState']
export type ReviewDecision = S['ReviewDecision']
export type WriteOffState = S['WriteOffState']
export type ExtensionState = S['ExtensionState']
export type OutcomeKind = S['OutcomeKind']
export type ReportKind = S['ReportKind']
export type LetterState = S['LetterState']
/** The ledger's `view` parameter: unit (default), office (rounds run by the caller's organisation), attention. */
export type LedgerView = S['LedgerView']
export type StatsGroup = S['StatsGroup']
/** What the caller may do with an item now (`RectItem.actions`). */
export type ItemAction = S['ItemAction']
export type TrailStepCode = S['TrailStepCode']
export type HolidayKind = S['HolidayKind']
/** The plan queues of GET /rect/units `plan`: awaiting 会审, or the unit's to draft or resubmit. */
export type PlanQueue = S['PlanQueue']

/** Narrows a string (a route query, a select's value) to one of the codes of `list`. */
export function isCode<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return (list as readonly (string | null | undefined)[]).includes(value)
}

// The lists the screens build options and locale keys from (tests/unit/codes.spec.ts checks at type
// level that each full list names every code of its union, so a code the server adds fails the
// type check until it is listed here and in the locale).

/** The states of a ledger item: a finding from its feedback on (the ledger never shows earlier ones). */
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
export const STATS_GROUPS = ['child', 'unit', 'level', 'round', 'category'] as const satisfies readonly StatsGroup[]
export const PLAN_QUEUES = ['to_review', 'to_draft'] as const satisfies readonly PlanQueue[]
export const TRAIL_STEPS = [
  'report',
  'handover',
  'transfer',
  'check',
  'write_off',
] as const satisfies readonly TrailStepCode[]
