// Rectification assessment (整改评估), satisfaction surveys (满意度测评) and disclosure (整改公开):
// docs/design/assessment-api.md. Typed from the generated schema; the public routes need no login.
import { client, href, unwrap, unwrapVoid } from './client'
import type { components } from './schema'

type S = components['schemas']

export type AssessmentSettings = S['AssessmentSettings']
export type IndicatorConf = S['IndicatorDto']
export type GradeConf = S['GradeDto']
export type AssessUnit = S['AssessUnitDto']
export type AssessUnitPage = S['AssessUnitPage']
export type Revisit = S['RevisitDto']
export type RevisitPage = S['RevisitPage']
export type Assessment = S['AssessmentDto']
export type AssessmentSummary = S['AssessmentSummary']
export type AssessmentPage = S['AssessmentPage']
export type Deduction = S['DeductionDto']
export type IndicatorScore = S['IndicatorScore']
export type Satisfaction = S['Satisfaction']
export type SurveyLink = S['SurveyLink']
export type PublicSurvey = S['PublicSurveyDto']
export type Disclosure = S['DisclosureDto']
export type DisclosureSummary = S['DisclosureSummary']
export type DisclosurePage = S['DisclosurePage']
export type DisclosureItem = S['DisclosureItemDto']
export type Counts = S['CountsDto']
export type ExemptionInput = S['ExemptionInput']
export type PublicDisclosure = S['PublicDisclosureDto']
export type PublicDisclosurePage = S['PublicDisclosurePage']

export type AssessmentState = 'DRAFT' | 'FINALISED'
export const ASSESSMENT_STATES: readonly AssessmentState[] = ['DRAFT', 'FINALISED']
export type DisclosureState = 'DRAFT' | 'SUBMITTED' | 'RETURNED' | 'APPROVED'
export const DISCLOSURE_STATES: readonly DisclosureState[] = ['DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED']
export type Answer = 'satisfied' | 'basic' | 'unsatisfied' | 'unknown'
export const ANSWERS: readonly Answer[] = ['satisfied', 'basic', 'unsatisfied', 'unknown']
export type ExemptionReason = 'secret' | 'unpublished_case' | 'negative_hype' | 'mass_petition' | 'other'
export const EXEMPTION_REASONS: readonly ExemptionReason[] = [
  'secret',
  'unpublished_case',
  'negative_hype',
  'mass_petition',
  'other',
]
export type DisclosureChannel = 'internal' | 'public'

// Settings, units, the 回头看 list

export function settings(): Promise<AssessmentSettings> {
  return unwrap(client.GET('/api/v1/assessment/settings'))
}

export function saveSettings(body: { indicators: IndicatorConf[]; grades: GradeConf[] }): Promise<AssessmentSettings> {
  return unwrap(client.PUT('/api/v1/assessment/settings', { body }))
}

/** Drops the caller's office's own rubric: it inherits again (恢复继承). */
export function inheritSettings(): Promise<AssessmentSettings> {
  return unwrap(client.DELETE('/api/v1/assessment/settings'))
}

export interface AssessUnitQuery {
  /** Part of the inspected organisation's name or code. */
  q?: string
  /** Only the units without a disclosure yet (choosing what to disclose). */
  undisclosed?: boolean
  page?: number
  page_size?: number
}

/** One page of the fed-back units (page 1-based, page_size 1..200, 20 by default) with the total. */
export function units(query: AssessUnitQuery = {}): Promise<AssessUnitPage> {
  return unwrap(client.GET('/api/v1/assessment/units', { params: { query } }))
}

/** One page of the revisit list (回头看), newest first (page 1-based, page_size 1..200, 20 by default). */
export function revisits(paging: { page?: number; page_size?: number } = {}): Promise<RevisitPage> {
  return unwrap(client.GET('/api/v1/assessment/revisits', { params: { query: paging } }))
}

/** Schedules a 回头看 entry into a round (or moves it to another). */
export function scheduleRevisit(id: number, body: S['ScheduleRevisitBody']): Promise<Revisit> {
  return unwrap(client.POST('/api/v1/assessment/revisits/{id}/schedule', { params: { path: { id } }, body }))
}

/** Marks a scheduled 回头看 entry done. */
export function finishRevisit(id: number, body: S['FinishRevisitBody']): Promise<Revisit> {
  return unwrap(client.POST('/api/v1/assessment/revisits/{id}/done', { params: { path: { id } }, body }))
}

// Assessments

export interface AssessmentQuery {
  round_id?: number
  state?: string
  q?: string
  page?: number
  page_size?: number
}

export function list(query: AssessmentQuery): Promise<AssessmentPage> {
  return unwrap(client.GET('/api/v1/assessments', { params: { query } }))
}

export function create(roundUnitId: number, assessedOn?: string): Promise<Assessment> {
  return unwrap(
    client.POST('/api/v1/assessments', { body: { round_unit_id: roundUnitId, assessed_on: assessedOn ?? null } }),
  )
}

export function get(id: number): Promise<Assessment> {
  return unwrap(client.GET('/api/v1/assessments/{id}', { params: { path: { id } } }))
}

export function save(
  id: number,
  body: {
    assessed_on: string
    conclusion: string
    deductions: { indicator: string; points: number; reason: string }[]
    version: number
  },
): Promise<Assessment> {
  return unwrap(client.PUT('/api/v1/assessments/{id}', { params: { path: { id } }, body }))
}

export function finalise(id: number, version: number): Promise<Assessment> {
  return unwrap(client.POST('/api/v1/assessments/{id}/finalise', { params: { path: { id } }, body: { version } }))
}

export function assessmentDocxUrl(id: number): string {
  return href('/api/v1/assessments/{id}/docx', { path: { id } })
}

export function exportUrl(roundId?: number): string {
  return href('/api/v1/assessments/export', { query: { round_id: roundId } })
}

// Surveys

export function createSurvey(id: number, origin: string): Promise<SurveyLink[]> {
  return unwrap(client.POST('/api/v1/assessments/{id}/survey', { params: { path: { id } }, body: { origin } })).then(
    (r) => r.links,
  )
}

export function newLink(id: number, groupId: number, origin: string): Promise<SurveyLink> {
  return unwrap(
    client.POST('/api/v1/assessments/{id}/survey/groups/{group_id}/link', {
      params: { path: { id, group_id: groupId } },
      body: { origin },
    }),
  )
}

export function publicSurvey(token: string): Promise<PublicSurvey> {
  return unwrap(client.GET('/api/v1/public/surveys/{token}', { params: { path: { token } } }))
}

export function respond(token: string, answers: Answer[], comment: string): Promise<void> {
  return unwrapVoid(
    client.POST('/api/v1/public/surveys/{token}', { params: { path: { token } }, body: { answers, comment } }),
  )
}

// Disclosure

export function listDisclosures(query: { state?: string; page?: number; page_size?: number }): Promise<DisclosurePage> {
  return unwrap(client.GET('/api/v1/disclosures', { params: { query } }))
}

export function createDisclosure(roundUnitId: number): Promise<Disclosure> {
  return unwrap(client.POST('/api/v1/disclosures', { body: { round_unit_id: roundUnitId } }))
}

export function getDisclosure(id: number): Promise<Disclosure> {
  return unwrap(client.GET('/api/v1/disclosures/{id}', { params: { path: { id } } }))
}

export function saveDisclosure(
  id: number,
  body: { title: string; internal_text: string; public_text: string; exemptions: ExemptionInput[]; version: number },
): Promise<Disclosure> {
  return unwrap(client.PUT('/api/v1/disclosures/{id}', { params: { path: { id } }, body }))
}

export function submitDisclosure(id: number, version: number): Promise<Disclosure> {
  return unwrap(client.POST('/api/v1/disclosures/{id}/submit', { params: { path: { id } }, body: { version } }))
}

export function decideDisclosure(id: number, approve: boolean, opinion: string, version: number): Promise<Disclosure> {
  return unwrap(
    client.POST('/api/v1/disclosures/{id}/decide', { params: { path: { id } }, body: { approve, opinion, version } }),
  )
}

export function disclosureDocxUrl(id: number, channel: DisclosureChannel): string {
  return href('/api/v1/disclosures/{id}/docx', { path: { id }, query: { channel } })
}

export function publicDisclosures(page: number, pageSize: number): Promise<PublicDisclosurePage> {
  return unwrap(client.GET('/api/v1/public/disclosures', { params: { query: { page, page_size: pageSize } } }))
}

export function publicDisclosure(id: number): Promise<PublicDisclosure> {
  return unwrap(client.GET('/api/v1/public/disclosures/{id}', { params: { path: { id } } }))
}
