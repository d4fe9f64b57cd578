import { describe, expect, it } from 'vitest'
import zhCN from '@/locales/zh-CN'
import { formatPercent } from '@/utils/format'
import {
  FINDING_STATES,
  MEASURE_KINDS,
  OUTCOMES,
  OUTCOME_KINDS,
  PLAN_STATES,
  REPORT_KINDS,
  STATS_GROUPS,
  WARNINGS,
  type MeasureDraft,
  type PlanDiff,
  type TrailStep,
} from '@/api/rectification'
import {
  MAX_FILE_BYTES,
  addDays,
  checkFiles,
  cleanMeasure,
  daysBetween,
  deadlineModeOf,
  deadlineText,
  effectiveDateError,
  emptyLedgerFilters,
  emptyMeasure,
  extensionDateError,
  fenToYuan,
  fileError,
  formatSize,
  formatYuan,
  groupDiff,
  internalLink,
  isDate,
  ledgerQuery,
  measureErrors,
  originalDeadlineShown,
  pairMeasures,
  parseCount,
  parseYuan,
  pendingBodies,
  planErrors,
  shortHash,
  trailActive,
  warningTagType,
  withDeadlineMode,
} from '@/utils/rectification'
import { lookup } from './helpers'

function measure(over: Partial<MeasureDraft> = {}): MeasureDraft {
  return {
    ...emptyMeasure(),
    content: '修订“三重一大”决策制度实施细则',
    responsible_leader: '王副厅长',
    lead_dept: '办公室',
    deadline: '2026-03-31',
    ...over,
  }
}

describe('money in fen', () => {
  it('parses 元 into integer fen by string handling, never through floats', () => {
    expect(parseYuan('0.1')).toBe(10)
    expect(parseYuan('0.29')).toBe(29) // 0.29 * 100 = 28.999999999999996 as a float
    expect(parseYuan('1.005')).toBeNull() // three decimals are refused, not rounded
    expect(parseYuan('1234')).toBe(123400)
    expect(parseYuan('1,234.5')).toBe(123450)
    expect(parseYuan(' 12000.50 ')).toBe(1200050)
    expect(parseYuan('007.05')).toBe(705)
    expect(parseYuan('12.')).toBe(1200)
    expect(parseYuan('90071992547409.91')).toBe(9007199254740991)
  })

  it('refuses what is not a non-negative amount with at most two decimals', () => {
    for (const bad of ['', '  ', '-1', 'abc', '1.2.3', '.5', '1e5', '99999999999999999', null, undefined]) {
      expect(parseYuan(bad as string), String(bad)).toBeNull()
    }
  })

  it('shows fen as 元 with two decimals', () => {
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(123456)).toBe('1234.56')
    expect(fenToYuan(-705)).toBe('-7.05')
    expect(formatYuan(123456789)).toBe('1,234,567.89')
    expect(formatYuan(100)).toBe('1.00')
    expect(formatYuan(null)).toBe('0.00')
    // Round trip.
    for (const fen of [0, 1, 29, 1000, 1200050, 9007199254740991]) expect(parseYuan(fenToYuan(fen))).toBe(fen)
  })
})

describe('dates', () => {
  it('checks real calendar dates and counts days across months and leap years', () => {
    expect(isDate('2026-02-28')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2026-2-1')).toBe(false)
    expect(isDate(null)).toBe(false)
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365)
    expect(daysBetween('2026-03-10', '2026-03-01')).toBe(-9)
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02')
  })
})

describe('measure deadlines: a date or N working days', () => {
  it('tells the mode from what the measure holds', () => {
    expect(deadlineModeOf(measure())).toBe('date')
    expect(deadlineModeOf(measure({ deadline: null, deadline_working_days: 15 }))).toBe('working_days')
    expect(deadlineModeOf(emptyMeasure())).toBe('date')
  })

  it('keeps exactly one of the two when the mode changes', () => {
    const dated = measure({ resolved_deadline: '2026-03-31' })
    const days = withDeadlineMode({ ...dated, deadline_working_days: 20 }, 'working_days')
    expect(days.deadline).toBeNull()
    expect(days.deadline_working_days).toBe(20)
    expect(days.resolved_deadline).toBeNull()
    const back = withDeadlineMode(days, 'date')
    expect(back.deadline_working_days).toBeNull()
    // Same mode: the server's resolved date stays.
    expect(withDeadlineMode(dated, 'date').resolved_deadline).toBe('2026-03-31')
  })

  it('cleans a measure for the server', () => {
    const m = cleanMeasure(
      measure({
        content: '  建立台账  ',
        co_depts: [' 财务处 ', '', '人事处', '财务处'],
        deadline: '2026-05-01',
        deadline_working_days: 10,
        resolved_deadline: 'x',
      }),
      'working_days',
    )
    expect(m.content).toBe('建立台账')
    expect(m.co_depts).toEqual(['财务处', '人事处'])
    expect(m.deadline).toBeNull()
    expect(m.deadline_working_days).toBe(10)
    expect(m.resolved_deadline).toBeNull()
  })

  it('shows a deadline as a date, or as working days with the worked-out date', () => {
    expect(deadlineText(measure())).toBe('2026-03-31')
    expect(deadlineText(measure({ deadline: null, deadline_working_days: 15 }))).toBe('15 个工作日')
    expect(deadlineText(measure({ deadline: null, deadline_working_days: 15, resolved_deadline: '2026-02-06' }))).toBe(
      '15 个工作日（2026-02-06）',
    )
  })
})

describe('plan validation', () => {
  const base = '2026-01-10'

  it('names the problem, the measure and the field', () => {
    const errors = measureErrors(measure({ content: ' ', lead_dept: '' }), '选人用人工作不规范', 1, base)
    expect(errors).toEqual([
      '问题“选人用人工作不规范”的措施 2：请填写整改措施',
      '问题“选人用人工作不规范”的措施 2：请填写牵头部门',
    ])
  })

  it('checks the deadline in the mode chosen', () => {
    expect(measureErrors(measure({ deadline: null }), 'A', 0, base)).toEqual(['问题“A”的措施 1：请选择整改时限日期'])
    expect(measureErrors(measure({ deadline: null }), 'A', 0, base, 'working_days')).toEqual([
      '问题“A”的措施 1：工作日数须为 1 至 3650 之间的整数',
    ])
    expect(measureErrors(measure({ deadline: null, deadline_working_days: 0 }), 'A', 0, base)).toHaveLength(1)
    expect(measureErrors(measure({ deadline: null, deadline_working_days: 3650 }), 'A', 0, base)).toEqual([])
    expect(measureErrors(measure({ deadline: addDays(base, 3650) }), 'A', 0, base)).toEqual([])
    expect(measureErrors(measure({ deadline: addDays(base, 3651) }), 'A', 0, base)).toEqual([
      '问题“A”的措施 1：整改时限不能晚于反馈日期后 3650 天',
    ])
  })

  it('asks for a measure per problem and the sign-off only when submitting', () => {
    const items = [
      { title: '“三重一大”决策制度执行不严格', measures: [measure()] },
      { title: '选人用人工作不规范', measures: [] },
    ]
    expect(planErrors(items, { base, submit: false })).toEqual([])
    expect(planErrors(items, { base, submit: true, principal_leader: '', signed_on: null })).toEqual([
      '问题“选人用人工作不规范”至少需要一项整改措施',
      '提交前须填写主要负责人姓名（签字背书）',
      '提交前须填写主要负责人签字日期',
    ])
    const complete = [
      items[0]!,
      { title: '选人用人工作不规范', measures: [measure({ deadline: null, deadline_working_days: 30 })] },
    ]
    expect(planErrors(complete, { base, submit: true, principal_leader: '李厅长', signed_on: '2026-01-15' })).toEqual(
      [],
    )
  })

  it('ticks by default the bodies that have not approved yet', () => {
    expect(
      pendingBodies({
        bodies: ['巡察组', '巡察办'],
        body_status: [
          { body: '巡察组', decision: 'approve', reviewer_name: '甲', at: '2026-01-01T00:00:00Z' },
          { body: '巡察办', decision: 'return', reviewer_name: '乙', at: '2026-01-01T00:00:00Z' },
        ],
      }),
    ).toEqual(['巡察办'])
  })
})

describe('plan diff', () => {
  const diff: PlanDiff = {
    revision: 2,
    previous_revision: 1,
    changes: [
      {
        finding_id: 1,
        title: 'A',
        change: 'changed',
        before: [measure()],
        after: [measure({ lead_dept: '党组办公室' }), measure({ content: '新增措施' })],
      },
      { finding_id: 2, title: 'B', change: 'added', before: [], after: [measure()] },
      { finding_id: 3, title: 'C', change: 'removed', before: [measure()], after: [] },
      { finding_id: 4, title: 'D', change: 'changed', before: [measure()], after: [measure()] },
    ],
  }

  it('groups the changes by kind', () => {
    const g = groupDiff(diff)
    expect(g.changed.map((c) => c.finding_id)).toEqual([1, 4])
    expect(g.added.map((c) => c.finding_id)).toEqual([2])
    expect(g.removed.map((c) => c.finding_id)).toEqual([3])
    expect(groupDiff(null)).toEqual({ added: [], removed: [], changed: [] })
  })

  it('pairs the measures by position and names the fields that differ', () => {
    const pairs = pairMeasures(diff.changes[0]!.before, diff.changes[0]!.after)
    expect(pairs.map((p) => [p.n, p.status, p.fields])).toEqual([
      [1, 'changed', ['lead_dept']],
      [2, 'added', []],
    ])
    expect(pairMeasures([measure(), measure()], [measure()]).map((p) => p.status)).toEqual(['same', 'removed'])
    const switched = pairMeasures([measure()], [measure({ deadline: null, deadline_working_days: 10 })])
    expect(switched[0]!.fields).toEqual(['deadline'])
  })
})

describe('evidence files', () => {
  it('accepts the allowed types up to 20 MB, by extension, case-insensitively', () => {
    expect(fileError({ name: '整改报告.PDF', size: 1024 })).toBeNull()
    expect(fileError({ name: 'a.ofd', size: MAX_FILE_BYTES })).toBeNull()
    expect(fileError({ name: 'a.docx', size: MAX_FILE_BYTES + 1 })).toBe('文件“a.docx”超过 20 MB，不能上传')
    expect(fileError({ name: 'run.exe', size: 10 })).toMatch(
      /^文件“run.exe”的类型不支持，仅支持 pdf、jpg、jpeg、png、doc、docx、xls、xlsx、ofd、zip$/,
    )
    expect(fileError({ name: 'noext', size: 10 })).not.toBeNull()
    expect(fileError({ name: '.pdf', size: 10 })).not.toBeNull()
    expect(fileError({ name: 'empty.pdf', size: 0 })).toBe('文件“empty.pdf”是空文件')
  })

  it('splits picked files into the good ones and messages for the others', () => {
    const { ok, errors } = checkFiles([
      { name: 'a.pdf', size: 1 },
      { name: 'b.txt', size: 1 },
      { name: 'c.jpg', size: 2 },
    ])
    expect(ok.map((f) => f.name)).toEqual(['a.pdf', 'c.jpg'])
    expect(errors).toHaveLength(1)
  })

  it('formats sizes and shortens hashes', () => {
    expect(formatSize(512)).toBe('512 B')
    expect(formatSize(1536)).toBe('1.5 KB')
    expect(formatSize(20 * 1024 * 1024)).toBe('20.0 MB')
    const sm3 = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
    expect(shortHash(sm3)).toBe('66c7f0f4…a8e0')
    expect(shortHash('abc')).toBe('abc')
    expect(shortHash(null)).toBe('')
  })
})

describe('item forms', () => {
  it('takes an effective date up to today', () => {
    expect(effectiveDateError('2026-01-10', '2026-01-10')).toBeNull()
    expect(effectiveDateError('2026-01-11', '2026-01-10')).toBe('进展日期不能晚于今天')
    expect(effectiveDateError('', '2026-01-10')).toBe('请选择进展日期')
  })

  it('takes a new deadline only after the current one', () => {
    expect(extensionDateError('2026-04-01', '2026-03-31')).toBeNull()
    expect(extensionDateError('2026-03-31', '2026-03-31')).toBe('新的整改时限须晚于当前时限 2026-03-31')
    expect(extensionDateError(null, '2026-03-31')).toBe('请选择新的整改时限')
  })

  it('parses counts as whole numbers', () => {
    expect(parseCount('3')).toBe(3)
    expect(parseCount(' 0 ')).toBe(0)
    expect(parseCount('1.5')).toBeNull()
    expect(parseCount('-1')).toBeNull()
    expect(parseCount('')).toBeNull()
  })

  it('puts the trail at the first step not done', () => {
    const step = (done: boolean): TrailStep => ({ step: 'report', name: '', done, at: null, detail: '' })
    expect(trailActive([step(true), step(true), step(false), step(true)])).toBe(2)
    expect(trailActive([])).toBe(0)
    expect(trailActive([step(true), step(true)])).toBe(2)
  })
})

describe('ledger and figures', () => {
  it('maps warning colours to tag types', () => {
    expect(warningTagType('green')).toBe('success')
    expect(warningTagType('yellow')).toBe('warning')
    expect(warningTagType('red')).toBe('danger')
    expect(warningTagType(null)).toBe('info')
  })

  it('shows the original deadline only when an extension moved it', () => {
    expect(originalDeadlineShown({ deadline: '2026-06-30', original_deadline: '2026-03-31' })).toBe('2026-03-31')
    expect(originalDeadlineShown({ deadline: '2026-03-31', original_deadline: '2026-03-31' })).toBeNull()
    expect(originalDeadlineShown({ deadline: null, original_deadline: null })).toBeNull()
  })

  it('builds the ledger query without blanks, with the attention view and paging', () => {
    expect(ledgerQuery(emptyLedgerFilters())).toEqual({})
    const f = {
      ...emptyLedgerFilters(),
      org_id: 7,
      state: 'IN_PROGRESS',
      warning: 'red',
      q: '  三重一大 ',
      attention: true,
    }
    expect(ledgerQuery(f, { page: 2, page_size: 50 })).toEqual({
      org_id: 7,
      state: 'IN_PROGRESS',
      warning: 'red',
      q: '三重一大',
      view: 'attention',
      page: 2,
      page_size: 50,
    })
  })

  it('formats rates with one decimal and the percent sign (formatPercent, one format everywhere)', () => {
    expect(formatPercent(50)).toBe('50.0%')
    expect(formatPercent(98.71)).toBe('98.7%')
    expect(formatPercent(33.333333)).toBe('33.3%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(formatPercent('87.50%')).toBe('87.5%')
    expect(formatPercent(null)).toBe('-')
    expect(formatPercent('')).toBe('-')
  })

  it('follows only in-app notification links', () => {
    expect(internalLink('/rect/items/5')).toBe('/rect/items/5')
    expect(internalLink('//evil.example/x')).toBeNull()
    expect(internalLink('https://example.org')).toBeNull()
    expect(internalLink(null)).toBeNull()
  })
})

describe('rectification labels', () => {
  it('labels every code the screens build keys from, with the contract labels', () => {
    const sets: [string, readonly string[]][] = [
      ['rect.states', FINDING_STATES],
      ['rect.measureKinds', MEASURE_KINDS],
      ['rect.outcomes', OUTCOMES],
      ['rect.warnings', WARNINGS],
      ['rect.planStates', PLAN_STATES],
      ['rect.outcomeKinds', OUTCOME_KINDS],
      ['rect.reportKinds', REPORT_KINDS],
      ['rect.statsGroups', STATS_GROUPS],
      ['rect.actions', ['progress', 'write_off', 'verify', 'reopen', 'extend', 'outcome', 'letter']],
    ]
    for (const [prefix, codes] of sets) {
      for (const code of codes) expect(typeof lookup(`${prefix}.${code}`), `${prefix}.${code}`).toBe('string')
    }
    expect(zhCN.rect.states.REOPENED).toBe('回头看重新整改')
    expect(zhCN.rect.outcomes.basically_completed).toBe('基本完成（阶段性成效）')
    expect(zhCN.rect.planStates.SUBMITTED).toBe('会审中')
    expect(zhCN.rect.reportKinds.life_meeting).toBe('专题民主生活会')
  })
})
