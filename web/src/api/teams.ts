// Talent pools, teams and recusal (docs/design/inspection-api.md, "People, pools, teams, recusal").
import { client, unwrap } from './client'
import type { components } from './schema'
import type { Team } from './inspection'

type S = components['schemas']

export type Pool = 'leader' | 'specialist'
export const POOLS: readonly Pool[] = ['leader', 'specialist']

export type TeamRole = 'leader' | 'deputy' | 'member' | 'liaison'
export const TEAM_ROLES: readonly TeamRole[] = ['leader', 'deputy', 'member', 'liaison']

export type RelationKind = 'spouse' | 'blood' | 'collateral' | 'in_law' | 'superior' | 'colleague' | 'academic'
export const RELATION_KINDS: readonly RelationKind[] = [
  'spouse',
  'blood',
  'collateral',
  'in_law',
  'superior',
  'colleague',
  'academic',
]

/** Specialty keys with labels in the locale (`team.specialty.*`); the server stores the label text. */
export const SPECIALTY_KEYS = [
  'finance',
  'audit',
  'engineering',
  'law',
  'discipline',
  'organisation',
  'publicity',
  'petition',
  'agriculture',
] as const

export type Post = S['PostDto']
export type Relation = S['RelationDto']
export type Training = S['TrainingDto']
export type Person = S['PersonDto']
export type PersonPage = S['PersonPage']
export type PersonSave = S['PersonSave']
export type Suggestion = S['SuggestionItem']
/** A request for a recusal exception (回避例外), decided by another user holding recusal:approve. */
export type RecusalRequest = S['RecusalRequestDto']
export type RecusalRequestPage = S['RecusalRequestPage']

export interface PersonQuery {
  /** Part of the name. */
  q?: string
  pool?: string
  specialty?: string
  page?: number
  page_size?: number
}

/** One page of the talent pools' people (page 1-based, page_size 1..200, 20 by default) with the total. */
export function people(query: PersonQuery): Promise<PersonPage> {
  return unwrap(client.GET('/api/v1/people', { params: { query } }))
}

export function createPerson(body: PersonSave): Promise<Person> {
  return unwrap(client.POST('/api/v1/people', { body }))
}

export function updatePerson(id: number, body: PersonSave & { version: number }): Promise<Person> {
  return unwrap(client.PUT('/api/v1/people/{id}', { params: { path: { id } }, body }))
}

export function addPost(id: number, body: S['PostCreate']): Promise<Person> {
  return unwrap(client.POST('/api/v1/people/{id}/posts', { params: { path: { id } }, body }))
}

export function addRelation(id: number, body: S['RelationCreate']): Promise<Person> {
  return unwrap(client.POST('/api/v1/people/{id}/relations', { params: { path: { id } }, body }))
}

export function addTraining(id: number, body: S['TrainingCreate']): Promise<Person> {
  return unwrap(client.POST('/api/v1/people/{id}/trainings', { params: { path: { id } }, body }))
}

export function createTeam(roundId: number, name: string): Promise<Team> {
  return unwrap(client.POST('/api/v1/rounds/{id}/teams', { params: { path: { id: roundId } }, body: { name } }))
}

/**
 * Assigns a unit to a team. Members in conflict refuse it (422 recusal.unit_conflict); with
 * `overrideReason` the server files exception requests instead and answers them (202).
 */
export function assignUnit(
  teamId: number,
  roundUnitId: number,
  overrideReason?: string,
): Promise<Team | RecusalRequest[]> {
  const body: S['TeamUnit'] = { round_unit_id: roundUnitId }
  if (overrideReason) body.override_reason = overrideReason
  return unwrap(client.POST('/api/v1/teams/{id}/units', { params: { path: { id: teamId } }, body }))
}

/** Adds a member; on a conflict with `overrideReason`, files an exception request (202) instead. */
export function addMember(
  teamId: number,
  personId: number,
  role: string,
  overrideReason?: string,
): Promise<Team | RecusalRequest> {
  const body: S['MemberAdd'] = { person_id: personId, role }
  if (overrideReason) body.override_reason = overrideReason
  return unwrap(client.POST('/api/v1/teams/{id}/members', { params: { path: { id: teamId } }, body }))
}

export interface RecusalRequestQuery {
  team_id?: number
  /** pending, approved, rejected */
  state?: string
  page?: number
  page_size?: number
}

/** One page of the recusal exception requests in scope, newest first (page_size 1..200, 20 by default). */
export function recusalRequests(query: RecusalRequestQuery = {}): Promise<RecusalRequestPage> {
  return unwrap(client.GET('/api/v1/recusal-requests', { params: { query } }))
}

export function decideRecusal(
  id: number,
  approve: boolean,
  version: number,
  comment?: string,
): Promise<RecusalRequest> {
  const body: S['RecusalDecision'] = { version }
  if (comment) body.comment = comment
  return approve
    ? unwrap(client.POST('/api/v1/recusal-requests/{id}/approve', { params: { path: { id } }, body }))
    : unwrap(client.POST('/api/v1/recusal-requests/{id}/reject', { params: { path: { id } }, body }))
}

export function removeMember(teamId: number, personId: number): Promise<Team> {
  return unwrap(
    client.DELETE('/api/v1/teams/{id}/members/{person_id}', { params: { path: { id: teamId, person_id: personId } } }),
  )
}

/** People free of conflicts for a role, by specialty and workload. */
export function suggestions(teamId: number, specialty?: string, role?: string): Promise<Suggestion[]> {
  const query: { specialty?: string; role?: string } = {}
  if (specialty) query.specialty = specialty
  if (role) query.role = role
  return unwrap(client.GET('/api/v1/teams/{id}/suggestions', { params: { path: { id: teamId }, query } }))
}
