// 码上巡察: the team's queue of reports from the public channel of a round unit (the clue
// compartment), the channel's QR code, and the conversion of a report into a clue.
import { client, href, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type PublicReport = S['PublicReportDto']
export type PublicReportPage = S['PublicReportPage']
/** Decrypted, with the conversation and the attachments; the reporter only with the reporter compartment. */
export type PublicReportDetail = S['PublicReportDetail']
export type PublicChannel = S['PublicChannelLink']

export type ReportState = 'NEW' | 'ACCEPTED' | 'DECLINED' | 'CLOSED'
export const REPORT_STATES: readonly ReportState[] = ['NEW', 'ACCEPTED', 'DECLINED', 'CLOSED']

export interface PublicReportQuery {
  round_unit_id?: number
  state?: string
  page?: number
  page_size?: number
}

export function list(query: PublicReportQuery): Promise<PublicReportPage> {
  return unwrap(client.GET('/api/v1/public-reports', { params: { query } }))
}

export function get(id: number): Promise<PublicReportDetail> {
  return unwrap(client.GET('/api/v1/public-reports/{id}', { params: { path: { id } } }))
}

/** Opens the unit's channel (or answers the open one) with the QR code of its address on `origin`. */
export function openChannel(unitId: number, origin: string): Promise<PublicChannel> {
  return unwrap(
    client.POST('/api/v1/round-units/{id}/public-channel', { params: { path: { id: unitId } }, body: { origin } }),
  )
}

export function decide(
  id: number,
  decision: 'accept' | 'decline',
  reason: string,
  version: number,
): Promise<PublicReportDetail> {
  return unwrap(
    client.POST('/api/v1/public-reports/{id}/decide', {
      params: { path: { id } },
      body: { decision, reason, version },
    }),
  )
}

export function ask(id: number, question: string): Promise<PublicReportDetail> {
  return unwrap(client.POST('/api/v1/public-reports/{id}/questions', { params: { path: { id } }, body: { question } }))
}

export function convert(id: number, version: number): Promise<S['PublicReportConverted']> {
  return unwrap(
    client.POST('/api/v1/public-reports/{id}/clue', { params: { path: { id } }, body: { summary: '', version } }),
  )
}

export function fileUrl(id: number, fileId: number): string {
  return href('/api/v1/public-reports/{id}/files/{file_id}', { path: { id, file_id: fileId } })
}
