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

/** A 转办 to a responsible unit, with its reply and the team's review. */
export type ReportTransfer = S['ReportTransferDto']
export type ReportTransferPage = S['ReportTransferPage']

export type ReportState = 'NEW' | 'ACCEPTED' | 'DECLINED' | 'TRANSFERRED' | 'CLOSED'
export const REPORT_STATES: readonly ReportState[] = ['NEW', 'ACCEPTED', 'DECLINED', 'TRANSFERRED', 'CLOSED']
export type TransferState = 'PENDING' | 'REPLIED' | 'DONE'
export const TRANSFER_STATES: readonly TransferState[] = ['PENDING', 'REPLIED', 'DONE']

export interface PublicReportQuery {
  round_unit_id?: number
  state?: string
  /** Only the office's standing queue (reports after the round ended). */
  standing?: boolean
  /** Only reports whose 转办 reply waits for review. */
  review?: boolean
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

/** Marks the report as a repeat of the earlier report `of` and closes it. */
export function merge(id: number, of: number, version: number): Promise<PublicReportDetail> {
  return unwrap(
    client.POST('/api/v1/public-reports/{id}/duplicate', {
      params: { path: { id } },
      body: { duplicate_of: of, reason: '', version },
    }),
  )
}

/** 转办: sends the report to the responsible unit with a deadline and an instruction. */
export function transfer(
  id: number,
  body: { org_id: number; deadline: string; instruction: string; version: number },
): Promise<PublicReportDetail> {
  return unwrap(client.POST('/api/v1/public-reports/{id}/transfer', { params: { path: { id } }, body }))
}

/** Accepts the unit's reply (the report is closed, the opinion shown to the reporter) or returns it. */
export function review(id: number, t: ReportTransfer, accept: boolean, opinion: string): Promise<PublicReportDetail> {
  return unwrap(
    client.POST('/api/v1/public-reports/{id}/transfer/review', {
      params: { path: { id } },
      body: { transfer_id: t.id, accept, opinion, version: t.version },
    }),
  )
}

/** The responsible unit's inbox of 转办. */
export function transfers(query: { state?: string; page?: number; page_size?: number }): Promise<ReportTransferPage> {
  return unwrap(client.GET('/api/v1/report-transfers', { params: { query } }))
}

/** The unit's reply to a 转办. */
export function reply(t: ReportTransfer, text: string): Promise<ReportTransfer> {
  return unwrap(
    client.POST('/api/v1/report-transfers/{id}/reply', {
      params: { path: { id: t.id } },
      body: { reply: text, version: t.version },
    }),
  )
}

export type PublicReportStats = S['PublicReportStats']

/** Counts and timings of the reports the caller works (optionally of one round). */
export function stats(roundId?: number): Promise<PublicReportStats> {
  return unwrap(client.GET('/api/v1/public-reports/stats', { params: { query: { round_id: roundId } } }))
}
