import { client, unwrap, unwrapVoid } from './client'
import type { components } from './schema'

export type Me = components['schemas']['Me']
export type LoginRequest = components['schemas']['LoginRequest']
export type TotpSetup = components['schemas']['TotpSetup']

export function login(body: LoginRequest): Promise<Me> {
  return unwrap(client.POST('/api/v1/auth/login', { body }))
}

export function logout(): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/auth/logout'))
}

export function me(): Promise<Me> {
  return unwrap(client.GET('/api/v1/auth/me'))
}

export function changePassword(old_password: string, new_password: string): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/auth/password', { body: { old_password, new_password } }))
}

export function totpSetup(): Promise<TotpSetup> {
  return unwrap(client.POST('/api/v1/auth/totp/setup'))
}

export function totpEnable(code: string): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/auth/totp/enable', { body: { code } }))
}

export function totpDisable(password: string): Promise<void> {
  return unwrapVoid(client.POST('/api/v1/auth/totp/disable', { body: { password } }))
}
