// The rounds offered by the round filter of the rectification screens (ledger, statistics).
import { ref, type Ref } from 'vue'
import * as rectApi from '@/api/rectification'
import type { RoundChoice } from '@/api/rectification'
import { fillFrom } from '@/composables/useLoad'

export type { RoundChoice }

/**
 * The rounds with units in rectification in the caller's scope (GET /rect/rounds, newest first), filled in the
 * background. Not from the round units in rectification: those are paged (thousands per term).
 */
export function useRectRounds(): Ref<RoundChoice[]> {
  const rounds = ref<RoundChoice[]>([])
  fillFrom(rounds, () => rectApi.rounds())
  return rounds
}
