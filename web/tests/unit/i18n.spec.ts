// Every user-facing string goes through vue-i18n: no Chinese in components, and every key used exists.
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ORG_KINDS, PARTY_ORG_KINDS } from '@/api/orgs'
import { CLUE_SOURCES, DISPOSITIONS, TARGET_BODIES, TRIAGE_DECISIONS } from '@/api/clues'
import { POOLS, RELATION_KINDS, SPECIALTY_KEYS, TEAM_ROLES } from '@/api/teams'
import zhCN from '@/locales/zh-CN'
import { UNIT_DOCUMENTS } from '@/api/inspection'
import { lookup } from './helpers'

// (happy-dom replaces the global URL, so no `new URL(…, import.meta.url)` here.)
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

function files(dir: string, ext: string[]): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...files(path, ext))
    else if (ext.some((e) => name.endsWith(e))) out.push(path)
  }
  return out
}

const sources = files(SRC, ['.vue', '.ts']).filter((f) => !f.includes('/locales/') && !f.endsWith('.d.ts'))

describe('i18n', () => {
  it('has no Chinese text in .vue files', () => {
    const offenders = files(SRC, ['.vue']).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => /[\u4e00-\u9fff]/.test(line))
        .map(({ line, i }) => `${relative(SRC, file)}:${i + 1}: ${line.trim()}`),
    )
    expect(offenders).toEqual([])
  })

  it('defines every literal key passed to t()', () => {
    const missing: string[] = []
    for (const file of sources) {
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.]+)'/g)) {
        if (typeof lookup(match[1]!) !== 'string') missing.push(`${relative(SRC, file)}: ${match[1]}`)
      }
      for (const match of text.matchAll(/\btitle: '([A-Za-z0-9_.]+)'/g)) {
        if (typeof lookup(match[1]!) !== 'string') missing.push(`${relative(SRC, file)}: ${match[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('labels every organisation kind, party organisation kind, data scope and admin class', () => {
    for (const k of ORG_KINDS) expect(typeof lookup(`org.kind.${k}`), k).toBe('string')
    for (const k of PARTY_ORG_KINDS) expect(typeof lookup(`org.partyOrgKind.${k}`), k).toBe('string')
    for (const k of ['all', 'custom', 'org', 'org_and_below', 'self'])
      expect(typeof lookup(`role.scope.${k}`), k).toBe('string')
    for (const k of ['system', 'security', 'audit']) expect(typeof lookup(`role.adminClass.${k}`), k).toBe('string')
  })

  it('labels every code of inspection work the screens build keys from', () => {
    const sets: [string, readonly string[]][] = [
      ['clue.sources', CLUE_SOURCES],
      ['clue.decisions', TRIAGE_DECISIONS],
      ['clue.targetBodies', TARGET_BODIES],
      ['clue.dispositions', DISPOSITIONS],
      ['team.pools', POOLS],
      ['team.roles', TEAM_ROLES],
      ['team.relationKinds', RELATION_KINDS],
      ['team.specialty', SPECIALTY_KEYS],
      ['unit.documents', UNIT_DOCUMENTS],
    ]
    for (const [prefix, codes] of sets) {
      for (const code of codes) expect(typeof lookup(`${prefix}.${code}`), `${prefix}.${code}`).toBe('string')
    }
  })

  it('uses the specialty and relation labels of the contract', () => {
    expect(SPECIALTY_KEYS.map((k) => lookup(`team.specialty.${k}`))).toEqual([
      '财务',
      '审计',
      '工程',
      '法律',
      '纪检',
      '组织',
      '宣传',
      '信访',
      '农业',
    ])
    expect(lookup('team.relationKinds.collateral')).toBe('三代以内旁系血亲')
    expect(lookup('clue.dispositions.talk_inquiry')).toBe('谈话函询')
  })

  it('uses the labels the import format expects', () => {
    expect(zhCN.org.kind.department).toBe('机关部门')
    expect(zhCN.org.kind.county).toBe('县(市、区)')
    expect(zhCN.org.partyOrgKind.general_branch).toBe('党总支')
  })
})
