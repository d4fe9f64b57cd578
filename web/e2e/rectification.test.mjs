// Browser end-to-end test of rectification (issue 4): the real server binary with demo data and a
// controllable clock, driven through Debian's Chromium.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
//
// The liaison of 江岭省财政厅 (dept.liaison) drafts the plan for the two fed-back problems of
// 2025年第二轮巡察 — one measure with a date, one with N working days — signs and submits it. The office
// director (prov.director) returns it with a comment on one problem; the liaison sees the comment,
// changes the measure and resubmits; the director (巡察办) and the team's inspector (巡察组) see the diff and approve.
// The liaison reports progress on one item with a PDF and requests write-off; the director returns it
// with a reason; the liaison requests again; the director verifies. The statistics show 1 completed
// and a 50.0% completion rate. Then the clock moves on 400 days: the other item is red and overdue,
// the director issues the suggested letter (its .docx downloads), withdraws it with a reason, and the
// statistics count 1 overdue.
// Leaves screenshots in web/test-results/rectification*.png.
//
// E2E_WEB=dist serves this checkout's web/dist (run `npm run build` first) in front of the binary's
// API instead of the front end embedded in the binary.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DESKTOP, RESULTS, TEST_TODAY, openPage, reportFailure, startPlatform } from './support.mjs'
import { confirmBox, fieldIn, login as loginAt, logout, visible } from './pages.mjs'

const UNIT = '江岭省财政厅'
const ROUND = '2025年第二轮巡察'
const PROBLEM_A = '“三重一大”决策制度执行不严格'
const PROBLEM_B = '选人用人工作不规范'
const STAMP = Date.now().toString(36)
const COMMENT = `措施过于笼统，请明确干部选拔任用全程纪实的具体要求-${STAMP}`
const RETURN_REASON = `佐证材料未体现党组会议研究情况-${STAMP}`
const EVIDENCE = `整改佐证-${STAMP}.pdf`

let platform
let baseUrl
let browser
let stop
let workDir

before(async () => {
  // The clock control lets the test move the server's date (POST /api/v1/testing/clock).
  ;({ platform, baseUrl, browser, stop } = await startPlatform({ env: { XUNCHA_CLOCK_CONTROL: 'true' } }))
  workDir = mkdtempSync(join(tmpdir(), 'xuncha-rect-e2e-'))
  // A tiny but well-formed PDF (the server checks the bytes against the extension).
  writeFileSync(join(workDir, EVIDENCE), minimalPdf())
})

after(async () => {
  await stop?.()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

/** A one-page PDF with a correct cross-reference table. */
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ]
  let body = '%PDF-1.4\n'
  const offsets = []
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body))
    body += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(body)
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}

// ---------------------------------------------------------------------------------------------
// Page helpers.

const field = (page, testid) => fieldIn(page, testid)

/** A local date `days` from today, YYYY-MM-DD. */
/** The server's pinned day plus `days` (the server's clock, not the machine's). */
function dateFromToday(days) {
  const d = new Date(Date.parse(`${TEST_TODAY}T12:00:00Z`) + days * 86_400_000)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`
}

const login = (page, username, password) => loginAt(page, baseUrl, username, password)

/** 整改方案 → the unit's plan page; returns the round unit id. */
async function openPlan(page) {
  await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '整改方案' }).click()
  await page.waitForURL(/\/rect\/units$/)
  // The units are searched on the server (name or code), one page at a time.
  await field(page, 'rect-unit-q').fill(UNIT)
  await field(page, 'rect-unit-q').press('Enter')
  const row = page.getByTestId('rect-unit-table').locator('tr', { hasText: UNIT }).filter({ hasText: ROUND }).first()
  await row.locator('[data-testid^="rect-unit-open-"]').click()
  await page.waitForURL(/\/rect\/units\/\d+\/plan/)
  await page.getByTestId('plan-unit').getByText(UNIT).waitFor()
  return Number(/\/rect\/units\/(\d+)\/plan/.exec(page.url())[1])
}

async function planState(page, state) {
  await page.locator(`[data-testid="plan-state"][data-state="${state}"]`).waitFor()
}

const problemCard = (page, title) => page.locator('[data-testid^="plan-item-"]', { hasText: title }).first()

/** Adds a measure to a problem and fills it; `deadline` is `{ date }` or `{ days }`. */
async function addMeasure(page, title, m) {
  const card = problemCard(page, title)
  await card.getByTestId('plan-measure-add').click()
  const measure = card.getByTestId('plan-measure').last()
  await fieldIn(measure, 'measure-content').fill(m.content)
  await fieldIn(measure, 'measure-target').fill(m.target)
  await fieldIn(measure, 'measure-leader').fill(m.leader)
  await fieldIn(measure, 'measure-dept').fill(m.dept)
  if (m.days !== undefined) {
    await measure.getByTestId('measure-mode-days').click()
    const days = fieldIn(measure, 'measure-days')
    await days.fill(String(m.days))
    await days.press('Tab')
  } else {
    const date = fieldIn(measure, 'measure-date')
    await date.fill(m.date)
    await date.press('Enter')
  }
}

/** 整改台账 → search a problem → its item page. */
async function openItem(page, title) {
  await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '整改台账' }).click()
  await page.waitForURL(/\/rect\/ledger/)
  await field(page, 'ledger-filter-q').fill(title)
  await visible(page, 'ledger-search').click()
  const row = page
    .getByTestId('ledger-table')
    .locator('tr', { hasText: title })
    .filter({ hasText: UNIT })
    .filter({ hasText: ROUND })
    .first()
  await row.locator('[data-testid^="ledger-open-"]').click()
  await page.waitForURL(/\/rect\/items\/\d+/)
  await page.getByTestId('item-title').getByText(title).waitFor()
}

async function itemState(page, state) {
  await page.locator(`[data-testid="item-state"][data-state="${state}"]`).waitFor()
}

/** Opens 整改统计 for the unit and the round; returns the shown figures by card key. */
async function readStats(page) {
  await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '整改统计' }).click()
  await page.waitForURL(/\/rect\/stats/)
  await visible(page, 'stats-org').click()
  await page.keyboard.type(UNIT)
  await page.locator('.el-select-dropdown__item:visible', { hasText: UNIT }).first().click()
  await visible(page, 'stats-round').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: ROUND }).first().click()
  const answer = page.waitForResponse(
    (res) => res.url().includes('/api/v1/rect/stats') && res.url().includes('org_id='),
  )
  await visible(page, 'stats-search').click()
  assert.equal((await answer).status(), 200)
  await page.getByTestId('rect-stats-cards').waitFor()
  const figures = {}
  for (const key of ['total', 'completed', 'completion-rate', 'overdue']) {
    figures[key] = (await page.getByTestId(`rect-stat-${key}`).getByTestId('value').innerText()).trim()
  }
  return figures
}

// ---------------------------------------------------------------------------------------------

test('rectification from the plan to write-off, warnings and a supervision letter', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(browser, { ...DESKTOP, acceptDownloads: true })
  let stage = 'start'

  try {
    // --- The liaison drafts, signs and submits the plan. ------------------------------------
    stage = 'liaison drafts the plan'
    await login(page, 'dept.liaison')
    const menu = page.getByTestId('app-menu')
    for (const item of ['整改台账', '整改方案', '整改统计']) await menu.getByText(item).first().waitFor()
    assert.equal(await menu.getByText('督办').count(), 0, "no 督办 in the liaison's menu")
    const unitId = await openPlan(page)
    await problemCard(page, PROBLEM_A).waitFor()
    await problemCard(page, PROBLEM_B).waitFor()
    await addMeasure(page, PROBLEM_A, {
      content: '修订党组“三重一大”决策制度实施细则，明确决策事项清单和议事规则',
      target: '重大事项全部经集体研究决定',
      leader: '王明',
      dept: '办公室',
      date: dateFromToday(90),
    })
    await addMeasure(page, PROBLEM_B, {
      content: '开展选人用人专项检查',
      target: '选人用人程序规范',
      leader: '李强',
      dept: '人事处',
      days: 30,
    })

    await page.screenshot({ path: join(RESULTS, 'rectification-plan-edit.png'), fullPage: true })

    stage = 'liaison submits without the sign-off and is told what is missing'
    await visible(page, 'plan-submit').click()
    await visible(page, 'plan-errors').getByText('主要负责人').first().waitFor()

    stage = 'liaison signs and submits'
    await field(page, 'plan-principal').fill('张建国')
    const signed = field(page, 'plan-signed-on')
    await signed.fill(dateFromToday(0))
    await signed.press('Enter')
    await visible(page, 'plan-submit').click()
    await confirmBox(page)
    await planState(page, 'SUBMITTED')
    await logout(page)

    // --- The director returns it with a comment on one problem. -----------------------------
    stage = 'director returns the plan'
    await login(page, 'prov.director')
    assert.equal(await openPlan(page), unitId, 'the director reaches the same unit')
    await planState(page, 'SUBMITTED')
    const review = page.getByTestId('review-panel')
    // Each body decides through its own members: the director speaks for 巡察办 only.
    await review.getByTestId('review-body-巡察办').waitFor()
    assert.equal(await review.getByTestId('review-body-巡察组').count(), 0, 'the director is not on the team')
    await review.getByTestId('review-return').click()
    await fieldIn(review, 'review-opinion').fill('请按逐项意见修改后重新报送')
    await review.locator('[data-testid^="review-item-"]', { hasText: PROBLEM_B }).locator('textarea').fill(COMMENT)
    await review.getByTestId('review-submit').click()
    await planState(page, 'RETURNED')
    await logout(page)

    // --- The liaison reads the comment, changes the measure and resubmits. -----------------
    stage = 'liaison revises the plan'
    await login(page, 'dept.liaison')
    await openPlan(page)
    await planState(page, 'RETURNED')
    const cardB = problemCard(page, PROBLEM_B)
    await cardB.locator('[data-testid^="plan-comments-"]').getByText(COMMENT).waitFor()
    await fieldIn(cardB.getByTestId('plan-measure').first(), 'measure-content').fill(
      '开展选人用人专项检查，落实干部选拔任用全程纪实，逐人建立纪实档案',
    )
    await visible(page, 'plan-submit').click()
    await confirmBox(page)
    await planState(page, 'SUBMITTED')
    await page.locator('[data-testid="plan-revision"][data-revision="2"]').waitFor()
    await logout(page)

    // --- The director (巡察办) and the team's inspector (巡察组) see the diff and approve. -----
    for (const [who, body, after] of [
      ['prov.director', '巡察办', 'SUBMITTED'],
      ['prov.inspector', '巡察组', 'APPROVED'],
    ]) {
      stage = `${who} approves the revised plan for ${body}`
      await login(page, who)
      await openPlan(page)
      await planState(page, 'SUBMITTED')
      await page
        .getByTestId('plan-diff')
        .locator('[data-testid^="plan-diff-"]', { hasText: PROBLEM_B })
        .getByText('全程纪实')
        .first()
        .waitFor()
      const approve = page.getByTestId('review-panel')
      const box = approve.getByTestId(`review-body-${body}`)
      if (!(await box.locator('input').isChecked())) await box.click()
      await approve.getByTestId('review-approve').click()
      await fieldIn(approve, 'review-opinion').fill('同意该整改方案')
      await approve.getByTestId('review-submit').click()
      await planState(page, after)
      if (after !== 'APPROVED') await logout(page)
    }
    await page.screenshot({ path: join(RESULTS, 'rectification-plan.png'), fullPage: true })
    await logout(page)

    // --- The liaison reports progress with evidence and requests write-off. -----------------
    stage = 'liaison reports progress'
    await login(page, 'dept.liaison')
    // The approval was copied to the unit (抄告).
    await page.getByTestId('notification-bell').click()
    await page.getByTestId('notification-item').first().waitFor()
    await page.locator('.app-header-title').click()
    await openItem(page, PROBLEM_A)
    await itemState(page, 'IN_PROGRESS')
    await visible(page, 'item-progress').click()
    await field(page, 'progress-content').fill('已召开党组会议审议通过《“三重一大”决策制度实施细则》并印发执行')
    await page.locator('input[data-testid="progress-files"]').setInputFiles(join(workDir, EVIDENCE))
    await visible(page, 'progress-files-picked').getByText(EVIDENCE).waitFor()
    await visible(page, 'progress-submit').click()
    await page.getByTestId('progress-list').getByText(EVIDENCE).waitFor()

    stage = 'liaison requests write-off'
    await visible(page, 'item-write-off').click()
    await field(page, 'writeoff-explanation').fill('制度已修订印发，整改完成，申请销号')
    await visible(page, 'writeoff-submit').click()
    await itemState(page, 'CLOSE_REQUESTED')
    await logout(page)

    // --- The director returns the write-off with a reason. ----------------------------------
    stage = 'director returns the write-off'
    await login(page, 'prov.director')
    await openItem(page, PROBLEM_A)
    await itemState(page, 'CLOSE_REQUESTED')
    await visible(page, 'writeoff-return').click()
    await visible(page, 'writeoff-return-submit').click()
    // The reason is required.
    await page.locator('.el-dialog:visible .el-form-item__error').first().waitFor()
    await field(page, 'writeoff-return-text').fill(RETURN_REASON)
    await visible(page, 'writeoff-return-submit').click()
    await itemState(page, 'IN_PROGRESS')
    await page.getByTestId('writeoff-list').getByText(RETURN_REASON).waitFor()
    await logout(page)

    // --- The liaison requests again; the director verifies. ---------------------------------
    stage = 'liaison requests write-off again'
    await login(page, 'dept.liaison')
    await openItem(page, PROBLEM_A)
    await page.getByTestId('writeoff-list').getByText(RETURN_REASON).waitFor()
    await visible(page, 'item-write-off').click()
    await field(page, 'writeoff-explanation').fill('已补充党组会议纪要，整改完成，再次申请销号')
    await visible(page, 'writeoff-submit').click()
    await itemState(page, 'CLOSE_REQUESTED')
    await logout(page)

    stage = 'director verifies the write-off'
    await login(page, 'prov.director')
    await openItem(page, PROBLEM_A)
    await visible(page, 'writeoff-verify').click()
    await field(page, 'writeoff-verify-text').fill('佐证材料齐全，同意销号')
    await visible(page, 'writeoff-verify-submit').click()
    await itemState(page, 'CLOSED')
    await page.locator('[data-testid="trail-write_off"][data-done="true"]').waitFor()
    await page.screenshot({ path: join(RESULTS, 'rectification-item.png'), fullPage: true })

    stage = 'statistics after the write-off'
    const before = await readStats(page)
    assert.equal(before.total, '2', 'two fed-back problems')
    assert.equal(before.completed, '1', 'one completed')
    assert.equal(before['completion-rate'], '50.0%')
    assert.equal(before.overdue, '0')

    // --- 400 days later: the open item is overdue. ------------------------------------------
    stage = 'the clock moves on 400 days'
    const csrf = (await context.cookies()).find((c) => c.name === 'xuncha_csrf')?.value
    assert.ok(csrf, 'the CSRF cookie is set')
    const moved = await page.request.post(`${baseUrl}/api/v1/testing/clock`, {
      data: { advance_days: 400 },
      headers: { 'X-CSRF-Token': csrf },
    })
    assert.equal(moved.status(), 200, `POST /testing/clock: ${moved.status()} ${await moved.text()}`)
    // A new session, in case the old one is past its idle time on the server's new clock.
    await page.context().clearCookies()
    await login(page, 'prov.director')

    stage = 'the open item is red and overdue in the ledger'
    await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '整改台账' }).click()
    await field(page, 'ledger-filter-q').fill(PROBLEM_B)
    await visible(page, 'ledger-search').click()
    const rowB = page
      .getByTestId('ledger-table')
      .locator('tr', { hasText: PROBLEM_B })
      .filter({ hasText: UNIT })
      .filter({ hasText: ROUND })
      .first()
    await rowB.locator('[data-testid^="ledger-warning-"][data-warning="red"]').waitFor()
    await rowB.locator('[data-testid$="-overdue"]').waitFor()
    await page.screenshot({ path: join(RESULTS, 'rectification-ledger.png'), fullPage: true })

    stage = 'director issues the suggested letter'
    await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '督办' }).click()
    await page.waitForURL(/\/rect\/supervision/)
    const suggestion = page.getByTestId('suggestion-table').locator('tr', { hasText: UNIT }).first()
    await suggestion.locator('[data-testid^="suggestion-issue-"]').click()
    await field(page, 'letter-requirement').fill('请于收函后10个工作日内书面报告逾期原因及整改措施')
    await visible(page, 'letter-submit').click()
    const docx = visible(page, 'letter-docx')
    await docx.waitFor()
    const href = await docx.getAttribute('href')
    const download = await page.request.get(new URL(href, baseUrl).toString())
    assert.equal(download.status(), 200, `GET ${href}`)
    assert.match(download.headers()['content-type'] ?? '', /officedocument\.wordprocessingml\.document/)
    assert.equal((await download.body()).subarray(0, 2).toString('latin1'), 'PK', 'a .docx is a zip')
    await page.locator('.el-dialog:visible .el-dialog__headerbtn').click()
    // Letters are listed newest first, with 主送 (the unit's party organisation for a 提醒函).
    const letterRow = page.getByTestId('letter-table').locator('.el-table__body tr').first()
    await letterRow.getByText(UNIT, { exact: true }).waitFor()
    await letterRow.getByText(`${UNIT}党组`, { exact: true }).waitFor()
    await page.screenshot({ path: join(RESULTS, 'rectification-supervision.png'), fullPage: true })

    stage = 'director withdraws the letter with a reason'
    await letterRow.locator('[data-testid^="letter-withdraw-"]').click()
    await visible(page, 'letter-withdraw-submit').click()
    // A reason is required.
    await page.locator('.el-dialog:visible .el-form-item__error').waitFor()
    await field(page, 'letter-withdraw-text').fill('误发，收回重发')
    await visible(page, 'letter-withdraw-submit').click()
    await letterRow.locator('[data-testid^="letter-state-"]', { hasText: '已撤回' }).waitFor()
    await letterRow.getByText('误发，收回重发').waitFor()
    assert.equal(await letterRow.locator('[data-testid^="letter-withdraw-"]').count(), 0, 'withdrawn once')
    await page.screenshot({ path: join(RESULTS, 'rectification-letter-withdrawn.png'), fullPage: true })
    // The withdrawn letter's .docx stays downloadable.
    const again = await page.request.get(new URL(href, baseUrl).toString())
    assert.equal(again.status(), 200, `GET ${href} after withdrawal`)

    stage = 'statistics count the overdue item'
    const later = await readStats(page)
    assert.equal(later.overdue, '1')
    assert.equal(later.completed, '1')
    await page.screenshot({ path: join(RESULTS, 'rectification-stats.png'), fullPage: true })
  } catch (error) {
    await reportFailure(page, { screenshot: 'rectification-failure.png', stage, consoleErrors, platform })
    throw error
  } finally {
    await context.close()
  }
})
