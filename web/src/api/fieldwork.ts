// Fieldwork (了解情况) by the 12+N methods: the activity log of a round unit and its figures.
import { client, unwrap } from './client'
import type { components } from './schema'
import type { MethodFigures } from './inspection'

/** `summary` is null when the method's compartment (talk records) is not the caller's. */
export type Activity = components['schemas']['ActivityDto']
export type ActivityCreate = components['schemas']['ActivityCreate']

export function activities(unitId: number): Promise<Activity[]> {
  return unwrap(client.GET('/api/v1/round-units/{id}/activities', { params: { path: { id: unitId } } }))
}

export function createActivity(unitId: number, body: ActivityCreate): Promise<Activity> {
  return unwrap(client.POST('/api/v1/round-units/{id}/activities', { params: { path: { id: unitId } }, body }))
}

export function figures(unitId: number): Promise<MethodFigures[]> {
  return unwrap(client.GET('/api/v1/round-units/{id}/fieldwork-stats', { params: { path: { id: unitId } } }))
}
