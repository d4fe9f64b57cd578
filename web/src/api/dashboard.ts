// The 领导驾驶舱 (GET /dashboard): the figures of one organisation's subtree for a period, each with the in-app
// link of the list it counts. The records are the generated types of the server's OpenAPI document (schema.d.ts).
import { client, unwrap } from './client'
import type { components, operations } from './schema'

type S = components['schemas']

export type Dashboard = S['Dashboard']
export type DashChild = S['DashChild']
export type DashPeer = S['DashPeer']
export type DashboardQuery = NonNullable<operations['dashboard']['parameters']['query']>

export function get(query: DashboardQuery): Promise<Dashboard> {
  return unwrap(client.GET('/api/v1/dashboard', { params: { query } }))
}
