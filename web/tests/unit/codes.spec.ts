import { describe, expect, expectTypeOf, it } from 'vitest'
import * as codes from '@/api/codes'
import * as rectApi from '@/api/rectification'

type Of<A extends readonly unknown[]> = A[number]

describe('codes', () => {
  it('lists every code of each union (checked by the type checker)', () => {
    expectTypeOf<Of<typeof codes.FINDING_STATES>>().toEqualTypeOf<
      Exclude<codes.FindingState, 'DRAFT' | 'CONFIRMED' | 'IN_REPORT'>
    >()
    expectTypeOf<Of<typeof codes.MEASURE_KINDS>>().toEqualTypeOf<codes.MeasureKind>()
    expectTypeOf<Of<typeof codes.OUTCOMES>>().toEqualTypeOf<codes.Outcome>()
    expectTypeOf<Of<typeof codes.WARNINGS>>().toEqualTypeOf<codes.Warning>()
    expectTypeOf<Of<typeof codes.PLAN_STATES>>().toEqualTypeOf<codes.PlanState>()
    expectTypeOf<Of<typeof codes.OUTCOME_KINDS>>().toEqualTypeOf<codes.OutcomeKind>()
    expectTypeOf<Of<typeof codes.REPORT_KINDS>>().toEqualTypeOf<codes.ReportKind>()
    expectTypeOf<Of<typeof codes.STATS_GROUPS>>().toEqualTypeOf<codes.StatsGroup>()
    expectTypeOf<Of<typeof codes.PLAN_QUEUES>>().toEqualTypeOf<codes.PlanQueue>()
    expectTypeOf<Of<typeof codes.TRAIL_STEPS>>().toEqualTypeOf<codes.TrailStepCode>()
    expectTypeOf<Of<typeof codes.WRITE_OFF_OUTCOMES>>().toExtend<codes.Outcome>()
    expectTypeOf<Of<typeof codes.EXPLAIN_OUTCOMES>>().toExtend<codes.Outcome>()
  })

  it('narrows a string to a known code', () => {
    expect(codes.isCode(codes.FINDING_STATES, 'CLOSED')).toBe(true)
    expect(codes.isCode(codes.FINDING_STATES, 'DRAFT')).toBe(false)
    expect(codes.isCode(codes.WARNINGS, '')).toBe(false)
    expect(codes.isCode(codes.WARNINGS, undefined)).toBe(false)
  })

  it('are the ones api/rectification.ts gives the screens, without duplicates', () => {
    expect(rectApi.FINDING_STATES).toBe(codes.FINDING_STATES)
    for (const list of [codes.FINDING_STATES, codes.OUTCOMES, codes.OUTCOME_KINDS, codes.TRAIL_STEPS]) {
      expect(new Set(list).size).toBe(list.length)
    }
  })
})
