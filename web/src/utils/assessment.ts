// Pure helpers of the assessment, survey and disclosure screens (unit-tested in tests/unit).
import type { Answer, IndicatorConf } from '@/api/assessment'

/** A deduction row as edited in the form (points as typed). */
export interface DeductionRow {
  indicator: string
  points: number | null
  reason: string
}

/** Tenths of a point, the server's unit; `null` for a value with more than one decimal. */
export function toTenths(points: number): number | null {
  const t = points * 10
  return Math.abs(t - Math.round(t)) < 1e-6 ? Math.round(t) : null
}

/** Shows points without a useless `.0`: 72.5 → "72.5", 90 → "90". */
export function formatPoints(points: number | null | undefined): string {
  if (points === null || points === undefined || Number.isNaN(points)) return ''
  const t = toTenths(points) ?? Math.round(points * 10)
  return t % 10 === 0 ? String(t / 10) : (t / 10).toFixed(1)
}

/**
 * Checks the rows before saving, like the server: a known indicator, points > 0 with at most one
 * decimal, each indicator's total within its maximum, a reason. Returns message keys by row
 * index and field (`points`, `reason`, `indicator`).
 */
export function deductionErrors(
  rows: readonly DeductionRow[],
  indicators: readonly IndicatorConf[],
): Record<string, string> {
  const out: Record<string, string> = {}
  const sums = new Map<string, number>()
  rows.forEach((r, i) => {
    const ind = indicators.find((x) => x.code === r.indicator)
    if (!ind) {
      out[`${i}.indicator`] = 'assessment.err.indicator'
      return
    }
    const t = r.points === null ? null : toTenths(r.points)
    if (r.points === null || r.points <= 0) out[`${i}.points`] = 'assessment.err.positive'
    else if (t === null) out[`${i}.points`] = 'assessment.err.precision'
    else {
      const sum = (sums.get(r.indicator) ?? 0) + t
      sums.set(r.indicator, sum)
      if (sum > Math.round(ind.max_points * 10)) out[`${i}.points`] = 'assessment.err.exceeds'
    }
    if (!r.reason.trim()) out[`${i}.reason`] = 'assessment.err.reason'
  })
  return out
}

/** Score preview: 100 − Σ per indicator min(max, deductions). */
export function previewScore(
  rows: readonly DeductionRow[],
  indicators: readonly IndicatorConf[],
  auto: Record<string, number> = {},
): number {
  let total = 0
  for (const ind of indicators) {
    const manual = rows
      .filter((r) => r.indicator === ind.code)
      .reduce((s, r) => s + (r.points && r.points > 0 ? Math.round(r.points * 10) : 0), 0)
    total += Math.min(Math.round(ind.max_points * 10), manual + Math.round((auto[ind.code] ?? 0) * 10))
  }
  return Math.max(0, 1000 - total) / 10
}

/** The `src` of an <img> showing an SVG (the CSP allows `data:` images, not inline SVG markup). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

/** A survey token from the path: 32 hex digits, else null. */
export function surveyToken(raw: unknown): string | null {
  const s = typeof raw === 'string' ? raw.trim().toLowerCase() : ''
  return /^[0-9a-f]{32}$/.test(s) ? s : null
}

/** True when every question has an answer. */
export function allAnswered(answers: readonly (Answer | null | undefined)[], questions: number): boolean {
  return answers.length === questions && answers.every((a) => !!a)
}

/** The key under which this browser remembers having answered a survey link (no server-side identity). */
export function answeredKey(token: string): string {
  return `xuncha.survey.${token}`
}

/** Characters left of a limited comment. */
export function remaining(text: string, max: number): number {
  return max - [...text].length
}

/** The origin raters will open: the one the browser shows. */
export function currentOrigin(): string {
  return typeof location !== 'undefined' ? location.origin : ''
}

/** Splits a text into paragraphs for display (empty lines dropped). */
export function paragraphs(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
}
