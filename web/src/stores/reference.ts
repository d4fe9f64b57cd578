// Reference data of inspection work (kinds, village modes, states, fieldwork methods, category frames),
// loaded once per session and shared by the screens.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as inspectionApi from '@/api/inspection'
import * as findingsApi from '@/api/findings'
import type { CodeName, FieldworkMethod, StateCatalogue } from '@/api/inspection'
import type { Frame } from '@/api/findings'

export const useReferenceStore = defineStore('reference', () => {
  const kinds = ref<CodeName[]>([])
  const villageModes = ref<CodeName[]>([])
  const states = ref<StateCatalogue>({ round_unit: [], finding: [], clue: [] })
  const methods = ref<FieldworkMethod[]>([])
  const frames = ref<Frame[]>([])

  const pending = new Map<string, Promise<void>>()

  /** Loads one list once; a failed load is retried next time. */
  function once(key: string, load: () => Promise<void>): Promise<void> {
    let promise = pending.get(key)
    if (!promise) {
      promise = load().catch((error: unknown) => {
        pending.delete(key)
        throw error
      })
      pending.set(key, promise)
    }
    return promise
  }

  const loadKinds = () =>
    once('kinds', async () => {
      kinds.value = await inspectionApi.kinds()
    })
  const loadVillageModes = () =>
    once('villageModes', async () => {
      villageModes.value = await inspectionApi.villageModes()
    })
  const loadStates = () =>
    once('states', async () => {
      states.value = await inspectionApi.states()
    })
  const loadMethods = () =>
    once('methods', async () => {
      methods.value = await inspectionApi.methods()
    })
  const loadFrames = () =>
    once('frames', async () => {
      frames.value = await findingsApi.frames()
    })

  const kindNames = computed(() => new Map(kinds.value.map((k) => [k.code, k.name])))
  const villageModeNames = computed(() => new Map(villageModes.value.map((k) => [k.code, k.name])))
  const clueStateNames = computed(() => new Map(states.value.clue.map((k) => [k.code, k.name])))

  return {
    kinds,
    villageModes,
    states,
    methods,
    frames,
    kindNames,
    villageModeNames,
    clueStateNames,
    loadKinds,
    loadVillageModes,
    loadStates,
    loadMethods,
    loadFrames,
  }
})
