import { client, unwrap, unwrapVoid } from './client'
import type { components } from './schema'

export type ApiToken = components['schemas']['TokenDto']
export type CreateToken = components['schemas']['TokenCreate']
export type CreatedToken = components['schemas']['TokenCreated']

export function list(): Promise<ApiToken[]> {
  return unwrap(client.GET('/api/v1/tokens'))
}

export function create(body: CreateToken): Promise<CreatedToken> {
  return unwrap(client.POST('/api/v1/tokens', { body }))
}

export function remove(id: number): Promise<void> {
  return unwrapVoid(client.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } }))
}
