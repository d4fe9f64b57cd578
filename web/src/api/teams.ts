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
  'spouse', 'blood', 'collateral', 'in_law', 'superior', 'colleague', 'academic',
]

/** Specialty keys with labels in the locale (`team.specialty.*`); the server stores the label text. */
export const SPECIALTY_KEYS = [
  'finance', 'audit', 'engineering', 'law', 'discipline', 'organisation', 'publicity', 'petition', 'agriculture',
] as const

export type Post = S['PostDto']
export type Relation = S['RelationDto']
export type Training = S['TrainingDto']
export type Person = S['PersonDto']
export type PersonSave = S['PersonSave']
export type Suggestion = S['SuggestionItem']
/** Approval of an assignment despite recusal conflicts (a user holding recusal:approve). */
export type RecusalOverride = S['OverrideBody']

export function people(query: { q?: string; pool?: string; specialty?: string }): Promise<Person[]> {
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

export function assignUnit(teamId: number, roundUnitId: number): Promise<Team> {
  return unwrap(
    client.POST('/api/v1/teams/{id}/units', { params: { path: { id: teamId } }, body: { round_unit_id: roundUnitId } }),
  )
}

export function addMember(teamId: number, personId: number, role: string, override?: RecusalOverride): Promise<Team> {
  const body: S['MemberAdd'] = { person_id: personId, role }
  if (override) body.override = override
  return unwrap(client.POST('/api/v1/teams/{id}/members', { params: { path: { id: teamId } }, body }))
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
