// v-perm="'org:write'" (or an array: any of them) hides an element the user may not use.
// The server enforces permissions anyway; this only keeps the screen free of dead buttons.
import type { Directive, DirectiveBinding } from 'vue'
import { watchEffect, type WatchStopHandle } from 'vue'
import { useAuthStore } from '@/stores/auth'

type PermValue = string | readonly string[]

const stops = new WeakMap<HTMLElement, WatchStopHandle>()
const values = new WeakMap<HTMLElement, { value: PermValue }>()

function apply(el: HTMLElement, allowed: boolean): void {
  if (allowed) {
    if (el.dataset.permHidden !== undefined) {
      el.style.display = el.dataset.permHidden
      delete el.dataset.permHidden
    }
  } else if (el.dataset.permHidden === undefined) {
    el.dataset.permHidden = el.style.display
    el.style.display = 'none'
  }
}

export const vPerm: Directive<HTMLElement, PermValue> = {
  mounted(el: HTMLElement, binding: DirectiveBinding<PermValue>) {
    const auth = useAuthStore()
    const holder = { value: binding.value }
    values.set(el, holder)
    // Re-evaluated when the user's permissions change (login as someone else, logout).
    stops.set(
      el,
      watchEffect(() => apply(el, auth.hasPerm(holder.value)), { flush: 'sync' }),
    )
  },
  updated(el: HTMLElement, binding: DirectiveBinding<PermValue>) {
    const holder = values.get(el)
    if (holder && holder.value !== binding.value) {
      holder.value = binding.value
      apply(el, useAuthStore().hasPerm(binding.value))
    }
  },
  unmounted(el: HTMLElement) {
    stops.get(el)?.()
    stops.delete(el)
    values.delete(el)
  },
}

export default vPerm
