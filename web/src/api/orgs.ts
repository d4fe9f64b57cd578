import { client, unwrap } from './client'
import type { components } from './schema'

export type Org = components['schemas']['OrgDto']
export type OrgPage = components['schemas']['OrgPage']
export type CreateOrg = components['schemas']['OrgCreate']
export type UpdateOrg = components['schemas']['OrgUpdate']
export type ImportResult = components['schemas']['ImportResult']

/** The kinds of unit (`Org.kind`; the server's document types it as a plain string). */
export type OrgKind =
  'province' | 'city' | 'county' | 'township' | 'village' | 'department' | 'soe' | 'school' | 'institution'
/** The kinds of party organisation (`Org.party_org_kind`). */
export type PartyOrgKind = 'committee' | 'leadership_group' | 'working_committee' | 'general_branch' | 'branch'

export const ORG_KINDS: readonly OrgKind[] = [
  'province',
  'city',
  'county',
  'township',
  'village',
  'department',
  'soe',
  'school',
  'institution',
]
export const PARTY_ORG_KINDS: readonly PartyOrgKind[] = [
  'committee',
  'leadership_group',
  'working_committee',
  'general_branch',
  'branch',
]

export interface OrgQuery {
  q?: string
  parent_id?: number
  page?: number
  page_size?: number
  include_inactive?: boolean
}

export function roots(): Promise<Org[]> {
  return unwrap(client.GET('/api/v1/orgs/roots'))
}

export function children(id: number, includeInactive = false): Promise<Org[]> {
  return unwrap(
    client.GET('/api/v1/orgs/{id}/children', {
      params: { path: { id }, query: { include_inactive: includeInactive } },
    }),
  )
}

export function search(query: OrgQuery): Promise<OrgPage> {
  return unwrap(client.GET('/api/v1/orgs', { params: { query } }))
}

export function get(id: number): Promise<Org> {
  return unwrap(client.GET('/api/v1/orgs/{id}', { params: { path: { id } } }))
}

export function ancestors(id: number): Promise<Org[]> {
  return unwrap(client.GET('/api/v1/orgs/{id}/ancestors', { params: { path: { id } } }))
}

export function create(body: CreateOrg): Promise<Org> {
  return unwrap(client.POST('/api/v1/orgs', { body }))
}

export function update(id: number, body: UpdateOrg): Promise<Org> {
  return unwrap(client.PUT('/api/v1/orgs/{id}', { params: { path: { id } }, body }))
}

export function move(id: number, new_parent_id: number, version: number): Promise<Org> {
  return unwrap(client.POST('/api/v1/orgs/{id}/move', { params: { path: { id } }, body: { new_parent_id, version } }))
}

export function deactivate(id: number, version: number): Promise<Org> {
  return unwrap(client.POST('/api/v1/orgs/{id}/deactivate', { params: { path: { id } }, body: { version } }))
}

export function activate(id: number, version: number): Promise<Org> {
  return unwrap(client.POST('/api/v1/orgs/{id}/activate', { params: { path: { id } }, body: { version } }))
}

/** Downloads the .xlsx of a subtree (or of the user's whole scope). */
export async function exportXlsx(rootId?: number): Promise<{ blob: Blob; filename: string }> {
  const query = rootId === undefined ? {} : { root_id: rootId }
  let disposition: string | null = null
  const blob = await unwrap(
    client.GET('/api/v1/orgs/export', { params: { query }, parseAs: 'blob' }).then((result) => {
      disposition = result.response.headers.get('Content-Disposition')
      return result
    }),
  )
  return { blob: blob as Blob, filename: filenameFrom(disposition) }
}

function filenameFrom(disposition: string | null): string {
  if (disposition) {
    const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)
    if (star?.[1]) {
      try {
        return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
      } catch {
        /* fall through */
      }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
    if (plain?.[1]) return plain[1].trim()
  }
  return 'orgs.xlsx'
}

/** Uploads an .xlsx or .csv; bad rows come back as ApiError 422 with `problem.errors`. */
export function importFile(file: File): Promise<ImportResult> {
  const form = new FormData()
  form.append('file', file, file.name)
  return unwrap(
    client.POST('/api/v1/orgs/import', {
      // The generated type describes the multipart fields; the browser sends the FormData itself.
      body: form as unknown as { file: string },
      bodySerializer: (body: unknown) => body,
    }),
  )
}
