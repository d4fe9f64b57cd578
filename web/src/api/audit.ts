import { client, unwrap } from './client'
import type { components } from './schema'

export type OperationLogEntry = components['schemas']['OperationEntry']
export type OperationLogPage = components['schemas']['OperationPage']
export type LoginLogEntry = components['schemas']['LoginEntry']
export type LoginLogPage = components['schemas']['LoginPage']
export type AuditVerifyResult = components['schemas']['VerifyResult']

export interface OperationQuery {
  actor?: string
  action?: string
  /** YYYY-MM-DD */
  from?: string
  /** YYYY-MM-DD */
  to?: string
  page?: number
  page_size?: number
}

export interface LoginQuery {
  username?: string
  success?: boolean
  from?: string
  to?: string
  page?: number
  page_size?: number
}

export function operations(query: OperationQuery): Promise<OperationLogPage> {
  return unwrap(client.GET('/api/v1/audit/operations', { params: { query } }))
}

export function logins(query: LoginQuery): Promise<LoginLogPage> {
  return unwrap(client.GET('/api/v1/audit/logins', { params: { query } }))
}

export function verify(): Promise<AuditVerifyResult> {
  return unwrap(client.GET('/api/v1/audit/verify'))
}
