// The 工作台 (GET /workbench): the signed-in user's to-dos with counts and links, the latest unread
// notifications and, for leaders and the office, the headline figures of their scope. The records are
// the generated types of the server's OpenAPI document (schema.d.ts).
import { client, unwrap } from './client'
import type { components } from './schema'

type S = components['schemas']

export type Workbench = S['Workbench']
/** One to-do: `link` is the in-app list (with its filter) whose total is `count`. */
export type Todo = S['TodoDto']
export type TodoKind = S['TodoKind']
export type Headline = S['HeadlineDto']

export function get(): Promise<Workbench> {
  return unwrap(client.GET('/api/v1/workbench'))
}
