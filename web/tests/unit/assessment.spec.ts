import { describe, expect, it } from 'vitest'
import zhCN from '@/locales/zh-CN'
import { ANSWERS, ASSESSMENT_STATES, DISCLOSURE_STATES, EXEMPTION_REASONS, type IndicatorConf } from '@/api/assessment'
import {
  allAnswered,
  answeredKey,
  deductionErrors,
  formatPoints,
  paragraphs,
  previewScore,
  remaining,
  surveyToken,
  svgDataUrl,
  toTenths,
} from '@/utils/assessment'
import { assessmentChildren, publicRoutes } from '@/router/routes-assessment'

const indicators: IndicatorConf[] = [
  { code: 'research', name: '研究部署', max_points: 20, mode: 'manual' },
  { code: 'tasks', name: '任务落实', max_points: 30, mode: 'manual' },
  { code: 'organisation', name: '组织落实', max_points: 20, mode: 'manual' },
  { code: 'satisfaction', name: '满意度', max_points: 20, mode: 'satisfaction' },
  { code: 'overall', name: '综合评价', max_points: 10, mode: 'manual' },
]

describe('assessment helpers', () => {
  it('keeps points in tenths and shows them without a useless decimal', () => {
    expect(toTenths(2.5)).toBe(25)
    expect(toTenths(0.1 + 0.2)).toBe(3)
    expect(toTenths(2.25)).toBeNull()
    expect(formatPoints(72.5)).toBe('72.5')
    expect(formatPoints(90)).toBe('90')
    expect(formatPoints(null)).toBe('')
  })

  it('checks deductions like the server', () => {
    const errors = deductionErrors(
      [
        { indicator: 'research', points: 15, reason: '未召开专题会' },
        { indicator: 'research', points: 10, reason: '整改不到位' },
        { indicator: 'tasks', points: 1.25, reason: '' },
        { indicator: 'nope', points: 1, reason: 'x' },
        { indicator: 'overall', points: null, reason: 'x' },
      ],
      indicators,
    )
    expect(errors).toEqual({
      '1.points': 'assessment.err.exceeds',
      '2.points': 'assessment.err.precision',
      '2.reason': 'assessment.err.reason',
      '3.indicator': 'assessment.err.indicator',
      '4.points': 'assessment.err.positive',
    })
    for (const key of Object.values(errors)) {
      const text = key.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], zhCN)
      expect(typeof text, key).toBe('string')
    }
  })

  it('previews the score: 100 minus deductions capped per indicator, plus the survey part', () => {
    expect(previewScore([], indicators)).toBe(100)
    const rows = [
      { indicator: 'research', points: 10, reason: 'a' },
      { indicator: 'tasks', points: 15, reason: 'b' },
      { indicator: 'overall', points: 2.5, reason: 'c' },
    ]
    expect(previewScore(rows, indicators)).toBe(72.5)
    expect(
      previewScore([{ indicator: 'satisfaction', points: 18, reason: 'x' }], indicators, { satisfaction: 5.7 }),
    ).toBe(80)
  })

  it('recognises survey tokens and completeness', () => {
    expect(surveyToken('0123456789ABCDEF0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef')
    expect(surveyToken('../../etc')).toBeNull()
    expect(surveyToken(['x'])).toBeNull()
    expect(allAnswered(['satisfied', 'unknown'], 2)).toBe(true)
    expect(allAnswered(['satisfied', null], 2)).toBe(false)
    expect(allAnswered(['satisfied'], 2)).toBe(false)
    expect(answeredKey('ab')).toBe('xuncha.survey.ab')
    expect(remaining('整改效果明显', 500)).toBe(494)
  })

  it('makes data URLs the CSP allows and splits texts into paragraphs', () => {
    expect(svgDataUrl('<svg a="1"/>')).toBe('data:image/svg+xml;charset=utf-8,%3Csvg%20a%3D%221%22%2F%3E')
    expect(paragraphs('第一段\n\n  第二段 \n')).toEqual(['第一段', '第二段'])
  })
})

describe('assessment labels and routes', () => {
  it('labels every code the screens build keys from', () => {
    const at = (path: string) =>
      path.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown> | undefined)?.[p], zhCN)
    for (const s of ASSESSMENT_STATES) expect(typeof at(`assessment.states.${s}`), s).toBe('string')
    for (const s of DISCLOSURE_STATES) expect(typeof at(`disclosure.states.${s}`), s).toBe('string')
    for (const r of EXEMPTION_REASONS) expect(typeof at(`disclosure.reasons.${r}`), r).toBe('string')
    for (const a of ANSWERS) expect(typeof at(`assessment.survey.answers.${a}`), a).toBe('string')
    expect(at('assessment.survey.answers.basic')).toBe('基本满意')
  })

  it('keeps the public pages public and the rest behind rect:read', () => {
    expect(publicRoutes.every((r) => r.meta?.public === true)).toBe(true)
    expect(publicRoutes.map((r) => r.path)).toEqual([
      '/s/:token',
      '/public/disclosures',
      '/public/disclosures/:id(\\d+)',
    ])
    expect(assessmentChildren.every((r) => r.meta?.permission === 'rect:read' && !r.meta?.public)).toBe(true)
  })
})
