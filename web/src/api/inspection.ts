// Inspection planning and the round unit lifecycle (docs/design/inspection-api.md): reference data,
// terms (届), rounds (轮), round units (one inspected organisation in a round), coverage, statistics
// and the generated documents.
import { client, href, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type CodeName = S['Named']
export type FieldworkMethod = S['MethodDto']
export type StateCatalogue = S['StateCatalogue']
export type Term = S['TermDto']
export type TermCreate = S['TermCreate']
export type Round = S['RoundDto']
export type RoundSave = S['RoundSave']
export type TeamMember = S['MemberDto']
export type Team = S['TeamDto']
export type RoundUnit = S['RoundUnitDto']
export type RoundUnitPage = S['RoundUnitPage']
export type RoundDetail = S['RoundDetail']
/** A state the record may move to next. */
export type Transition = S['TransitionOption']
/** One state change in a record's timeline. */
export type StateEvent = S['EventDto']
export type RoundUnitDetail = S['RoundUnitDetail']
export type Coverage = S['CoverageDto']
export type CoverageGroup = S['CoverageGroupDto']
export type MethodFigures = S['MethodTotal']
export type LabelCount = S['LabelCount']
export type InspectionStats = S['InspectionStats']

// Reference data.

export function kinds(): Promise<CodeName[]> {
  return unwrap(client.GET('/api/v1/inspection/kinds'))
}

export function villageModes(): Promise<CodeName[]> {
  return unwrap(client.GET('/api/v1/inspection/village-modes'))
}

export function states(): Promise<StateCatalogue> {
  return unwrap(client.GET('/api/v1/inspection/states'))
}

export function methods(): Promise<FieldworkMethod[]> {
  return unwrap(client.GET('/api/v1/fieldwork/methods'))
}

// Terms and rounds.

export function terms(): Promise<Term[]> {
  return unwrap(client.GET('/api/v1/terms'))
}

export function createTerm(body: TermCreate): Promise<Term> {
  return unwrap(client.POST('/api/v1/terms', { body }))
}

export function coverage(termId: number): Promise<Coverage> {
  return unwrap(client.GET('/api/v1/terms/{id}/coverage', { params: { path: { id: termId } } }))
}

export function rounds(termId?: number): Promise<Round[]> {
  return unwrap(client.GET('/api/v1/rounds', { params: { query: termId === undefined ? {} : { term_id: termId } } }))
}

export function round(id: number): Promise<RoundDetail> {
  return unwrap(client.GET('/api/v1/rounds/{id}', { params: { path: { id } } }))
}

export function createRound(body: RoundSave): Promise<Round> {
  return unwrap(client.POST('/api/v1/rounds', { body }))
}

export function updateRound(id: number, body: RoundSave & { version: number }): Promise<Round> {
  return unwrap(client.PUT('/api/v1/rounds/{id}', { params: { path: { id } }, body }))
}

// Round units.

export function addUnit(roundId: number, orgId: number): Promise<RoundUnit> {
  return unwrap(
    client.POST('/api/v1/rounds/{id}/units', { params: { path: { id: roundId } }, body: { org_id: orgId } }),
  )
}

export interface RoundUnitQuery {
  round_id?: number
  state?: string
  page?: number
  page_size?: number
}

/** One page of round units (page 1-based, page_size 1..200, 20 by default) with the total. */
export function roundUnits(query: RoundUnitQuery): Promise<RoundUnitPage> {
  return unwrap(client.GET('/api/v1/round-units', { params: { query } }))
}

export function roundUnit(id: number): Promise<RoundUnitDetail> {
  return unwrap(client.GET('/api/v1/round-units/{id}', { params: { path: { id } } }))
}

export function transitionUnit(id: number, to: string, comment: string, version: number): Promise<RoundUnitDetail> {
  return unwrap(
    client.POST('/api/v1/round-units/{id}/transition', { params: { path: { id } }, body: { to, comment, version } }),
  )
}

// Statistics.

export function stats(query: { org_id?: number; round_id?: number }): Promise<InspectionStats> {
  return unwrap(client.GET('/api/v1/stats/inspection', { params: { query } }))
}

// Documents (.docx), opened as plain links: the session cookie authorises the download.

export type UnitDocument =
  'notice' | 'announcement' | 'mid-term' | 'report' | 'feedback' | 'problem-list' | 'clue-report'

export const UNIT_DOCUMENTS: readonly UnitDocument[] = [
  'notice',
  'announcement',
  'mid-term',
  'report',
  'feedback',
  'problem-list',
  'clue-report',
]

export function unitDocumentUrl(unitId: number, doc: UnitDocument): string {
  return href(`/api/v1/round-units/{id}/documents/${doc}`, { path: { id: unitId } })
}
