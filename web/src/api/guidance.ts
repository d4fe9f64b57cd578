// 指导督导 (guidance of lower offices): docs/guidance.md. A higher office's visits (督导组) to the
// offices below it, the problems found in those offices' own work, and their rectification to 销号.
import { client, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type Visit = S['VisitDetail']
export type VisitSummary = S['VisitSummary']
export type VisitPage = S['VisitPage']
export type VisitOptions = S['VisitOptions']
export type VisitCreate = S['VisitCreate']
export type Problem = S['ProblemDto']
export type ProblemPage = S['ProblemPage']

export type VisitState = 'PLANNED' | 'IN_PROGRESS' | 'FED_BACK' | 'CLOSED'
export const VISIT_STATES: readonly VisitState[] = ['PLANNED', 'IN_PROGRESS', 'FED_BACK', 'CLOSED']
export type ProblemSide = 'lower' | 'visiting'
/** `open`: fed back and not yet written off or asked to be. */
export const PROBLEM_STATES = ['open', 'FED_BACK', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'RETURNED', 'CLOSED'] as const

export function listVisits(query: { state?: string; page?: number; page_size?: number }): Promise<VisitPage> {
  return unwrap(client.GET('/api/v1/guidance/visits', { params: { query } }))
}

export function options(): Promise<VisitOptions> {
  return unwrap(client.GET('/api/v1/guidance/options'))
}

export function createVisit(body: VisitCreate): Promise<Visit> {
  return unwrap(client.POST('/api/v1/guidance/visits', { body }))
}

export function getVisit(id: number): Promise<Visit> {
  return unwrap(client.GET('/api/v1/guidance/visits/{id}', { params: { path: { id } } }))
}

export function moveVisit(id: number, state: string, version: number): Promise<Visit> {
  return unwrap(
    client.POST('/api/v1/guidance/visits/{id}/state', { params: { path: { id } }, body: { state, version } }),
  )
}

export function addProblem(id: number, body: { org_id: number; category: string; text: string }): Promise<Problem> {
  return unwrap(client.POST('/api/v1/guidance/visits/{id}/problems', { params: { path: { id } }, body }))
}

export function listProblems(query: {
  side?: string
  state?: string
  visit_id?: number
  overdue?: boolean
  page?: number
  page_size?: number
}): Promise<ProblemPage> {
  return unwrap(client.GET('/api/v1/guidance/problems', { params: { query } }))
}

export function rectify(
  id: number,
  body: { measure: string; progress: string; deadline: string; version: number },
): Promise<Problem> {
  return unwrap(client.POST('/api/v1/guidance/problems/{id}/rectify', { params: { path: { id } }, body }))
}

export function requestWriteOff(id: number, version: number): Promise<Problem> {
  return unwrap(
    client.POST('/api/v1/guidance/problems/{id}/write-off', { params: { path: { id } }, body: { version } }),
  )
}

export function verify(id: number, approve: boolean, opinion: string, version: number): Promise<Problem> {
  return unwrap(
    client.POST('/api/v1/guidance/problems/{id}/verify', {
      params: { path: { id } },
      body: { approve, opinion, version },
    }),
  )
}
