// Findings (问题底稿), their 立行立改 notices, category frames and the inspected unit's problem list.
import { client, href, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type Category = S['CategoryDto']
/** A versioned category frame (三个聚焦, 四个落实, …). */
export type Frame = S['FrameDto']
export type ImmediateFix = S['ImmediateDto']
export type Finding = S['FindingDto']
export type FindingDetail = S['FindingDetail']
/** The workpaper fields a team member writes (plus `version` on update). */
export type FindingSave = S['FindingSave']
export type FindingPage = S['FindingPage']

export interface FindingQuery {
  round_unit_id?: number
  org_id?: number
  state?: string
  category_id?: number
  q?: string
  page?: number
  page_size?: number
}

export function frames(): Promise<Frame[]> {
  return unwrap(client.GET('/api/v1/frames'))
}

export function list(query: FindingQuery): Promise<FindingPage> {
  return unwrap(client.GET('/api/v1/findings', { params: { query } }))
}

export function get(id: number): Promise<FindingDetail> {
  return unwrap(client.GET('/api/v1/findings/{id}', { params: { path: { id } } }))
}

export function create(unitId: number, body: FindingSave): Promise<Finding> {
  return unwrap(client.POST('/api/v1/round-units/{id}/findings', { params: { path: { id: unitId } }, body }))
}

/** Only while the finding is a draft. */
export function update(id: number, body: FindingSave & { version: number }): Promise<FindingDetail> {
  return unwrap(client.PUT('/api/v1/findings/{id}', { params: { path: { id } }, body }))
}

export function transition(id: number, to: string, comment: string, version: number): Promise<FindingDetail> {
  return unwrap(
    client.POST('/api/v1/findings/{id}/transition', { params: { path: { id } }, body: { to, comment, version } }),
  )
}

export function issueImmediateFix(id: number, requirement: string, deadline: string): Promise<FindingDetail> {
  return unwrap(
    client.POST('/api/v1/findings/{id}/immediate-fix', { params: { path: { id } }, body: { requirement, deadline } }),
  )
}

export function immediateFixReceipt(id: number): Promise<FindingDetail> {
  return unwrap(client.POST('/api/v1/findings/{id}/immediate-fix/receipt', { params: { path: { id } } }))
}

export function immediateFixDone(id: number): Promise<FindingDetail> {
  return unwrap(client.POST('/api/v1/findings/{id}/immediate-fix/done', { params: { path: { id } } }))
}

export interface ProblemQuery {
  org_id?: number
  page?: number
  page_size?: number
}

/**
 * One page of the inspected unit's own problem list (fed-back findings only; page 1-based, page_size 1..200,
 * 20 by default) with the total.
 */
export function problems(query: ProblemQuery = {}): Promise<FindingPage> {
  return unwrap(client.GET('/api/v1/problems', { params: { query } }))
}

export type FindingDocument = 'workpaper' | 'immediate-fix'

export function documentUrl(id: number, doc: FindingDocument): string {
  return href(`/api/v1/findings/{id}/documents/${doc}`, { path: { id } })
}
