// Search across the chain (GET /search): organisations, findings and rectification measures, each hit only where the
// caller's data scope allows, grouped counts by kind, highlighted snippets (docs/search.md).
import { client, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type SearchPage = S['SearchPage']
export type SearchHit = S['SearchHit']
export type SearchKind = S['SearchKind']

export interface SearchParams {
  q: string
  kind?: SearchKind
  page?: number
  page_size?: number
}

export function search(params: SearchParams): Promise<SearchPage> {
  return unwrap(client.GET('/api/v1/search', { params: { query: params } }))
}
