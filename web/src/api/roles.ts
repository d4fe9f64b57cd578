import { client, unwrap } from './client'
import type { components } from './schema'

export type Role = components['schemas']['RoleDto']
/** Create and update share one body; `version` is required when updating. */
export type RoleSave = components['schemas']['RoleSave']
export type PermissionCatalog = components['schemas']['Catalogue']
export type PermissionInfo = components['schemas']['PermissionEntry']
/** `Role.data_scope` (a plain string in the server's document). */
export type DataScope = 'all' | 'custom' | 'org' | 'org_and_below' | 'self'

export function list(): Promise<Role[]> {
  return unwrap(client.GET('/api/v1/roles'))
}

export function create(body: Omit<RoleSave, 'version'>): Promise<Role> {
  return unwrap(client.POST('/api/v1/roles', { body }))
}

export function update(id: number, body: RoleSave & { version: number }): Promise<Role> {
  return unwrap(client.PUT('/api/v1/roles/{id}', { params: { path: { id } }, body }))
}

export function catalog(): Promise<PermissionCatalog> {
  return unwrap(client.GET('/api/v1/permissions'))
}

/** The security policy: password rules, lock-out and session length (安全管理员). */
export type Policy = components['schemas']['PolicyDto']

export function getPolicy(): Promise<Policy> {
  return unwrap(client.GET('/api/v1/policy'))
}

export function putPolicy(body: Policy): Promise<Policy> {
  return unwrap(client.PUT('/api/v1/policy', { body }))
}
