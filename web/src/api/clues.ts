// Clues (问题线索): compartmented register, triage, report, transfer, the receiving body's disposition
// and closing. `ClueDetail.transitions` lists the next states the caller may reach (see `clueActions`).
import { client, href, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type ClueSource = 'petition' | 'talk' | 'qr' | 'document' | 'other'
export const CLUE_SOURCES: readonly ClueSource[] = ['petition', 'talk', 'qr', 'document', 'other']

export type TriageDecision = 'clue' | 'finding' | 'forward' | 'dismiss'
export const TRIAGE_DECISIONS: readonly TriageDecision[] = ['clue', 'finding', 'forward', 'dismiss']

export type TargetBody = 'discipline' | 'org_dept' | 'other'
export const TARGET_BODIES: readonly TargetBody[] = ['discipline', 'org_dept', 'other']

export type Disposition = 'talk_inquiry' | 'preliminary' | 'hold' | 'close' | 'case' | 'org_handling'
export const DISPOSITIONS: readonly Disposition[] = [
  'talk_inquiry',
  'preliminary',
  'hold',
  'close',
  'case',
  'org_handling',
]

/** In lists, `informant` and `facts` are null. */
export type Clue = S['ClueDto']
export type CluePage = S['CluePage']
/** With `events` and `transitions` (the next states the caller may reach). */
export type ClueDetail = S['ClueDetail']
export type ClueCreate = S['ClueCreate']

export interface ClueQuery {
  round_unit_id?: number
  state?: string
  /** Only clues transferred to the caller's organisations (the receiving body's inbox). */
  received?: boolean
  /** Only clues about this organisation's subtree (the clue register opened from the dashboard). */
  org_id?: number
  page?: number
  page_size?: number
}

/** One page of clues (page 1-based, page_size 1..200, 20 by default) with the total. */
export function list(query: ClueQuery): Promise<CluePage> {
  return unwrap(client.GET('/api/v1/clues', { params: { query } }))
}

export function get(id: number): Promise<ClueDetail> {
  return unwrap(client.GET('/api/v1/clues/{id}', { params: { path: { id } } }))
}

export function create(unitId: number, body: ClueCreate): Promise<Clue> {
  return unwrap(client.POST('/api/v1/round-units/{id}/clues', { params: { path: { id: unitId } }, body }))
}

export function triage(id: number, body: S['TriageBody'] & { decision: TriageDecision }): Promise<ClueDetail> {
  return unwrap(client.POST('/api/v1/clues/{id}/triage', { params: { path: { id } }, body }))
}

export function transition(id: number, to: string, comment: string, version: number): Promise<ClueDetail> {
  return unwrap(
    client.POST('/api/v1/clues/{id}/transition', { params: { path: { id } }, body: { to, comment, version } }),
  )
}

export function transfer(id: number, body: S['TransferBody'] & { target_body: TargetBody }): Promise<ClueDetail> {
  return unwrap(client.POST('/api/v1/clues/{id}/transfer', { params: { path: { id } }, body }))
}

export function receipt(id: number): Promise<ClueDetail> {
  return unwrap(client.POST('/api/v1/clues/{id}/receipt', { params: { path: { id } } }))
}

export function dispose(id: number, body: S['DispositionBody'] & { disposition: Disposition }): Promise<ClueDetail> {
  return unwrap(client.POST('/api/v1/clues/{id}/disposition', { params: { path: { id } }, body }))
}

/** 销号: closes a clue whose result has been fed back (clue:lead). */
export function close(id: number): Promise<ClueDetail> {
  return unwrap(client.POST('/api/v1/clues/{id}/close', { params: { path: { id } } }))
}

export function transferLetterUrl(id: number): string {
  return href('/api/v1/clues/{id}/documents/transfer-letter', { path: { id } })
}
