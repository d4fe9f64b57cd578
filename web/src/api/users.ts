import { client, unwrap, unwrapVoid } from './client'
import type { components } from './schema'

export type User = components['schemas']['UserDto']
export type UserPage = components['schemas']['UserPage']
export type CreateUser = components['schemas']['UserCreate']
export type UpdateUser = components['schemas']['UserUpdate']
export type PasswordResetResult = components['schemas']['PasswordResetResult']
export type ResetRequest = components['schemas']['ResetRequestDto']

export interface UserQuery {
  q?: string
  org_id?: number
  page?: number
  page_size?: number
}

export function list(query: UserQuery): Promise<UserPage> {
  return unwrap(client.GET('/api/v1/users', { params: { query } }))
}

export function create(body: CreateUser): Promise<User> {
  return unwrap(client.POST('/api/v1/users', { body }))
}

export function update(id: number, body: UpdateUser): Promise<User> {
  return unwrap(client.PUT('/api/v1/users/{id}', { params: { path: { id } }, body }))
}

export function setRoles(id: number, role_ids: number[], version: number): Promise<User> {
  return unwrap(client.PUT('/api/v1/users/{id}/roles', { params: { path: { id } }, body: { role_ids, version } }))
}

/** Issues a one-time password (shown once), or files a request awaiting approval (administrator accounts). */
export function resetPassword(id: number): Promise<PasswordResetResult> {
  return unwrap(client.POST('/api/v1/users/{id}/reset-password', { params: { path: { id } } }))
}

/** Administrator-account resets awaiting the security administrator's approval. */
export function pendingResets(): Promise<ResetRequest[]> {
  return unwrap(client.GET('/api/v1/password-resets'))
}

export function approveReset(id: number): Promise<PasswordResetResult> {
  return unwrap(client.POST('/api/v1/password-resets/{id}/approve', { params: { path: { id } } }))
}

export function rejectReset(id: number): Promise<ResetRequest> {
  return unwrap(client.POST('/api/v1/password-resets/{id}/reject', { params: { path: { id } } }))
}

export function lock(id: number): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/users/{id}/lock', { params: { path: { id } } }))
}

export function unlock(id: number): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/users/{id}/unlock', { params: { path: { id } } }))
}
