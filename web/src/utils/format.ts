/** Formats an RFC 3339 instant as local "YYYY-MM-DD HH:mm:ss" (empty for null). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  // A plain date (YYYY-MM-DD) stays as it is: it is already a local date.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Saves a Blob as a file through a temporary link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

let serverToday: string | null = null

/** Records the server's date (from GET /auth/me): "today" in forms is the server's, not the browser's. */
export function setServerToday(day: string | null | undefined): void {
  serverToday = day ?? null
}

/** Today as YYYY-MM-DD: the server's date once known, else the browser's (or `now`'s). */
export function today(now?: Date): string {
  if (!now && serverToday) return serverToday
  now ??= new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/**
 * A percentage as every screen shows it: one decimal and the sign ("98.7%"). Takes the server's percent
 * (98.7123) or its text ("87.50%"); "-" when there is none (no denominator, no responses).
 */
export function formatPercent(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-'
  const n = typeof value === 'number' ? value : Number.parseFloat(value.replace('%', '').trim())
  if (!Number.isFinite(n)) return '-'
  return `${(Math.round(n * 10) / 10).toFixed(1)}%`
}
