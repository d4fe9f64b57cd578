// Small rules of inspection work shared by several screens.
import type { TriageDecision } from '@/api/clues'
import type { FormRules } from 'element-plus'
import type { Transition } from '@/api/inspection'
import { i18n } from '@/locales'

/**
 * The index of a state in its lifecycle (for el-steps): the position of `state` in `states`,
 * or -1 when the state is not in the list.
 */
export function stepIndex(states: readonly { code: string }[], state: string): number {
  return states.findIndex((s) => s.code === state)
}

/** What the rectification ledger says about a round unit (GET /rect/units/{id}/plan `unit` and `plan`). */
export interface RectProgress {
  /** The plan's state: APPROVED once reviewed and approved. */
  planState: string | null | undefined
  /** Problems written off, of all the unit's fed-back problems. */
  closed: number
  total: number
}

export interface UnitStep {
  code: string
  name: string
  description?: string
}

/** Where the unit's lifecycle waits for the rectification to follow. */
export const RECTIFYING = 'RECTIFYING'

/**
 * The steps of a round unit's progress bar and the active one. The unit's own state moves by hand; once the
 * rectification plan is approved the bar follows the rectification instead: 集中整改 while problems are
 * open (with how many are written off), 整改完成 once every problem is.
 */
export function unitProgress(
  lifecycle: readonly { code: string; name: string }[],
  state: string,
  rect: RectProgress | null,
): { steps: UnitStep[]; active: number } {
  const steps: UnitStep[] = lifecycle.map((s) => ({ code: s.code, name: s.name }))
  let active = stepIndex(lifecycle, state)
  const at = stepIndex(lifecycle, RECTIFYING)
  if (!rect || rect.planState !== 'APPROVED' || at < 0) return { steps, active }
  const done = rect.total > 0 && rect.closed >= rect.total
  if (active < at) active = at
  const step = steps[at]!
  step.description = done
    ? i18n.global.t('unit.rectDone')
    : i18n.global.t('unit.rectProgress', { closed: rect.closed, total: rect.total })
  if (done && active === at) active = at + 1
  return { steps, active }
}

/** The triage decision (POST /clues/{id}/triage) that leads to each state reachable from RECEIVED. */
export const CLUE_TRIAGE_TARGETS: Readonly<Record<string, TriageDecision>> = {
  CLUE: 'clue',
  TO_FINDING: 'finding',
  FORWARDED: 'forward',
  DISMISSED: 'dismiss',
}

/** What the caller may do with a clue now, by the endpoint each allowed transition goes through. */
export interface ClueActions {
  /** The triage decisions offered (RECEIVED), in the server's order. */
  triage: TriageDecision[]
  /** Plain state changes with a comment (POST /clues/{id}/transition): REPORTED, TRANSFER_APPROVED. */
  transitions: Transition[]
  /** TRANSFERRED: the transfer form (POST /clues/{id}/transfer). */
  transfer: boolean
  /** DISPOSING: the receiving body signs for the clue (POST /clues/{id}/receipt). */
  receipt: boolean
  /** RESULT_FED_BACK: the disposition form (POST /clues/{id}/disposition). */
  dispose: boolean
  /** CLOSED: 销号 (POST /clues/{id}/close). */
  close: boolean
}

/**
 * Sorts the `transitions` of a clue (the next states the server lets the caller reach) into the
 * actions of the clue screen. A state the screen does not know is left out.
 */
export function clueActions(transitions: readonly Transition[] | null | undefined): ClueActions {
  const out: ClueActions = {
    triage: [],
    transitions: [],
    transfer: false,
    receipt: false,
    dispose: false,
    close: false,
  }
  for (const tr of transitions ?? []) {
    const decision = CLUE_TRIAGE_TARGETS[tr.to]
    if (decision) {
      if (!out.triage.includes(decision)) out.triage.push(decision)
      continue
    }
    switch (tr.to) {
      case 'REPORTED':
      case 'TRANSFER_APPROVED':
        out.transitions.push(tr)
        break
      case 'TRANSFERRED':
        out.transfer = true
        break
      case 'DISPOSING':
        out.receipt = true
        break
      case 'RESULT_FED_BACK':
        out.dispose = true
        break
      case 'CLOSED':
        out.close = true
        break
    }
  }
  return out
}

/** A rate from the server (already a percentage, two decimals) rounded to one decimal for display. */
export function percent(rate: number | null | undefined): number {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return 0
  return Math.round(rate * 10) / 10
}

/** "frame / category" of a finding; a finding made from a clue may have no category yet. */
export function categoryLabel(f: { frame_name?: string | null; category_name?: string | null }): string {
  return [f.frame_name, f.category_name].filter((x) => x).join(' / ')
}

/** The rules of a form's period (`start_date` and `end_date`, both required; see PeriodItems.vue). */
export function periodRules(): FormRules {
  const rule = [{ required: true, message: i18n.global.t('common.dateRequired'), trigger: 'change' }]
  return { start_date: rule, end_date: rule }
}

/** A round unit as one line, "organisation · round" (the same organisation is inspected in several rounds). */
export function roundUnitLabel(u: { org_name: string; round_name: string }): string {
  return `${u.org_name} · ${u.round_name}`
}
