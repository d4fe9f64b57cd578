// The signed-in user: who they are, which org, which permissions and compartments.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as authApi from '@/api/auth'
import type { LoginRequest, Me } from '@/api/auth'
import { ApiError } from '@/api/client'
import { setServerToday } from '@/utils/format'

/**
 * The compartments a user holds (clue, talk, reporter), as GET /auth/me lists them. The screens only
 * hide what the server would refuse anyway.
 */
export function compartmentsOf(me: Me | null): Set<string> {
  return new Set(me?.compartments ?? [])
}

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  /** True once the session has been probed (GET /auth/me), whatever the answer. */
  const loaded = ref(false)

  const loggedIn = computed(() => me.value !== null)
  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  /** The user's compartments (clue, talk, …); see `compartmentsOf`. */
  const compartments = computed(() => compartmentsOf(me.value))

  function hasPerm(required: string | readonly string[] | undefined | null): boolean {
    if (!required || (Array.isArray(required) && required.length === 0)) return true
    const set = permissions.value
    return typeof required === 'string' ? set.has(required) : required.some((p) => set.has(p))
  }

  /** True when the user may see the records of a compartment (clues, talk records). */
  function hasCompartment(code: string): boolean {
    return compartments.value.has(code)
  }

  /** Loads the current user; a 401 means "not signed in", not an error. */
  async function fetchMe(): Promise<Me | null> {
    try {
      me.value = await authApi.me()
      setServerToday(me.value?.today)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) me.value = null
      else throw error
    } finally {
      loaded.value = true
    }
    return me.value
  }

  async function login(request: LoginRequest): Promise<Me> {
    const user = await authApi.login(request)
    setServerToday(user.today)
    me.value = user
    loaded.value = true
    return user
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      clear()
    }
  }

  /** Forgets the user locally (session expired or logged out). */
  function clear(): void {
    me.value = null
    loaded.value = true
  }

  function markPasswordChanged(): void {
    if (me.value) me.value = { ...me.value, must_change_password: false }
  }

  function setTotpEnabled(enabled: boolean): void {
    if (me.value) me.value = { ...me.value, totp_enabled: enabled }
  }

  return {
    me,
    loaded,
    loggedIn,
    permissions,
    compartments,
    hasPerm,
    hasCompartment,
    fetchMe,
    login,
    logout,
    clear,
    markPasswordChanged,
    setTotpEnabled,
  }
})
