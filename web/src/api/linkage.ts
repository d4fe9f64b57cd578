// 上下联动 (docs/network.md): tasks a higher office issues to its lower offices (the issuing side
// sees every recipient's progress, a recipient its own row), and focus points pushed down, adopted
// by the lower offices' rounds and followed up by their findings.
import { client, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type LinkageTask = S['LinkageTaskDto']
export type LinkageTaskPage = S['LinkageTaskPage']
export type LinkageTaskDetail = S['LinkageTaskDetail']
export type LinkageTaskCreate = S['LinkageTaskCreate']
export type LinkageRecipient = S['LinkageRecipientDto']
export type LinkageInboxPage = S['LinkageInboxPage']
export type LinkageState = S['LinkageState']
export type FocusPoint = S['FocusPointDto']
export type FocusPointPage = S['FocusPointPage']
export type FocusPointDetail = S['FocusPointDetail']
export type FocusPointCreate = S['FocusPointCreate']
export type RoundFocus = S['RoundFocusDto']

export const LINKAGE_STATES = ['ISSUED', 'ACCEPTED', 'REPORTED', 'DONE'] as const satisfies readonly LinkageState[]

export interface Paging {
  page?: number
  page_size?: number
}

export function tasks(query: Paging): Promise<LinkageTaskPage> {
  return unwrap(client.GET('/api/v1/linkage/tasks', { params: { query } }))
}

export function createTask(body: LinkageTaskCreate): Promise<LinkageTaskDetail> {
  return unwrap(client.POST('/api/v1/linkage/tasks', { body }))
}

export function task(id: number): Promise<LinkageTaskDetail> {
  return unwrap(client.GET('/api/v1/linkage/tasks/{id}', { params: { path: { id } } }))
}

export function confirm(id: number, version: number): Promise<LinkageRecipient> {
  return unwrap(client.POST('/api/v1/linkage/recipients/{id}/confirm', { params: { path: { id } }, body: { version } }))
}

export function returnReport(id: number, reason: string, version: number): Promise<LinkageRecipient> {
  return unwrap(
    client.POST('/api/v1/linkage/recipients/{id}/return', { params: { path: { id } }, body: { reason, version } }),
  )
}

export function inbox(query: Paging & { todo?: boolean; state?: string }): Promise<LinkageInboxPage> {
  return unwrap(client.GET('/api/v1/linkage/inbox', { params: { query } }))
}

export function accept(id: number, version: number): Promise<LinkageRecipient> {
  return unwrap(client.POST('/api/v1/linkage/inbox/{id}/accept', { params: { path: { id } }, body: { version } }))
}

export function report(id: number, report: string, roundIds: number[], version: number): Promise<LinkageRecipient> {
  return unwrap(
    client.POST('/api/v1/linkage/inbox/{id}/report', {
      params: { path: { id } },
      body: { report, round_ids: roundIds, version },
    }),
  )
}

export function focusPoints(query: Paging): Promise<FocusPointPage> {
  return unwrap(client.GET('/api/v1/linkage/focus-points', { params: { query } }))
}

export function createFocusPoint(body: FocusPointCreate): Promise<FocusPointDetail> {
  return unwrap(client.POST('/api/v1/linkage/focus-points', { body }))
}

export function focusPoint(id: number): Promise<FocusPointDetail> {
  return unwrap(client.GET('/api/v1/linkage/focus-points/{id}', { params: { path: { id } } }))
}

export function adopt(roundId: number, focusPointId: number): Promise<RoundFocus[]> {
  return unwrap(
    client.POST('/api/v1/rounds/{id}/focus-points', {
      params: { path: { id: roundId } },
      body: { focus_point_id: focusPointId },
    }),
  )
}

export function linkFinding(findingId: number, focusPointId: number | null): Promise<S['FindingFocusDto']> {
  return unwrap(
    client.PUT('/api/v1/findings/{id}/focus-point', {
      params: { path: { id: findingId } },
      body: { focus_point_id: focusPointId },
    }),
  )
}
