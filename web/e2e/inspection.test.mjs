// Browser end-to-end test of inspection work (issue 3): the real server binary with demo data,
// driven through Debian's Chromium.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
//
// The inspector (prov.inspector) opens the round unit 江岭省财政厅, logs a talk, writes a finding under
// the 四个落实 frame and registers a clue. The office director (prov.director) confirms the finding
// (DRAFT → CONFIRMED → IN_REPORT) and moves the unit through its states up to REPORT_APPROVED and then
// FEEDBACK_DONE. The unit's liaison (dept.liaison) sees the finding in 问题清单 and nothing of the clue.
// Leaves screenshots in web/test-results/inspection*.png.
//
// E2E_WEB=dist serves this checkout's web/dist (run `npm run build` first) in front of the binary's
// API instead of the front end embedded in the binary, to try the screens without rebuilding it.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { DESKTOP, RESULTS, openPage, reportFailure, startPlatform } from './support.mjs'
import { fieldIn, login as loginAt, logout, visible } from './pages.mjs'

const TERM = '第十四届'
const ROUND = '2026年第二轮巡察'
const UNIT = '江岭省财政厅'
const OTHER_UNIT = '江岭省教育厅'
const DISCIPLINE_ORG = '江岭省纪委监委'
const TEAM = '第一巡察组'
// A demo person whose spouse works at 江岭省财政厅 (亲属回避 for any team covering it).
const CONFLICTED = '陈志远'
const STAMP = Date.now().toString(36)
const FINDING_TITLE = `三公经费管理不规范-${STAMP}`
const CLUE_SUMMARY = `反映某处长违规收受礼金-${STAMP}`
// The lifecycle up to the feedback (domain.md §4), in order.
const UNIT_STEPS = [
  'PREPARING',
  'NOTIFIED',
  'STATIONED',
  'FIELDWORK_DONE',
  'REPORTING',
  'REPORT_APPROVED',
  'FEEDBACK_DONE',
]

let platform
let baseUrl
let browser
let stop

before(async () => {
  ;({ platform, baseUrl, browser, stop } = await startPlatform())
})

after(() => stop?.())

// ---------------------------------------------------------------------------------------------
// Page helpers.

const field = (page, testid) => fieldIn(page, testid)

async function pickOption(page, testid, text) {
  await visible(page, testid).first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

const login = (page, username, password) => loginAt(page, baseUrl, username, password)

/** 巡察工作 → 届次与轮次 → the term → the round → the unit; returns the unit's id. */
async function openUnit(page, unit = UNIT) {
  await page.locator('.el-menu-item', { hasText: '届次与轮次' }).click()
  await page.waitForURL(/\/inspection/)
  await page.getByTestId('term-table').locator('tr', { hasText: TERM }).first().click()
  await page.getByTestId('round-table').getByText(ROUND, { exact: true }).click()
  await page.waitForURL(/\/inspection\/rounds\/\d+/)
  await page.getByTestId('round-unit-table').getByText(unit, { exact: true }).click()
  await page.waitForURL(/\/inspection\/units\/\d+/)
  await page.getByTestId('unit-title').getByText(unit).waitFor()
  return Number(/\/inspection\/units\/(\d+)/.exec(page.url())[1])
}

async function openTab(page, name) {
  await page.locator(`#tab-${name}`).click()
  await page.locator(`#pane-${name}`).waitFor({ state: 'visible' })
}

/** Clicks a transition button, confirms with a comment and waits for the page to move on. */
async function transition(page, testid, comment) {
  const button = visible(page, testid)
  await button.click()
  await field(page, 'transition-comment').fill(comment)
  await visible(page, 'transition-confirm').click()
  await page.locator('[data-testid="transition-confirm"]:visible').waitFor({ state: 'hidden' })
  await page.locator(`[data-testid="${testid}"]:visible`).waitFor({ state: 'hidden' })
}

/** Walks the cascader: the frame by name, then the first category at each level down to a leaf. */
async function pickCategory(page, testid, frameName) {
  await visible(page, testid).first().click()
  const panel = page.locator('.el-cascader__dropdown:visible')
  await panel.locator('.el-cascader-node', { hasText: frameName }).first().click()
  for (let depth = 1; depth < 5; depth++) {
    if (!(await panel.isVisible())) return
    const menus = panel.locator('.el-cascader-menu')
    if ((await menus.count()) <= depth) return
    await menus.nth(depth).locator('.el-cascader-node').first().click()
  }
}

async function closeDrawer(page) {
  await page.keyboard.press('Escape')
  await page.locator('.el-drawer:visible').waitFor({ state: 'hidden' })
}

// ---------------------------------------------------------------------------------------------

test("inspection work from fieldwork to the unit's problem list", { timeout: 300_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(browser, { ...DESKTOP, acceptDownloads: true })
  let stage = 'start'

  try {
    // --- The inspector: fieldwork, a finding and a clue. ---------------------------------------
    stage = 'inspector opens the unit'
    await login(page, 'prov.inspector')
    const unitId = await openUnit(page)

    stage = 'inspector logs a talk'
    await openTab(page, 'fieldwork')
    await visible(page, 'activity-add').click()
    await pickOption(page, 'activity-form-method', '个别谈话')
    await field(page, 'activity-form-persons').fill('3')
    await field(page, 'activity-form-count').fill('3')
    await field(page, 'activity-form-summary').fill('与财务处负责人个别谈话，了解三公经费管理情况')
    await visible(page, 'activity-form-save').click()
    await page.locator('[data-testid="activity-form-save"]:visible').waitFor({ state: 'hidden' })
    await page.getByTestId('activity-table').getByText('个别谈话').first().waitFor()

    stage = 'inspector writes a finding'
    await openTab(page, 'findings')
    await visible(page, 'finding-add').click()
    await field(page, 'finding-form-title').fill(FINDING_TITLE)
    await pickCategory(page, 'finding-form-category', '四个落实')
    await field(page, 'finding-form-facts').fill('2025年公务接待超标准列支12次，合计4.6万元')
    await field(page, 'finding-form-basis').fill('《党政机关厉行节约反对浪费条例》第二十五条')
    await field(page, 'finding-form-responsibility').fill('厅党组、办公室')
    await field(page, 'finding-form-evidence').fill('接待清单、报销凭证复印件')
    await pickOption(page, 'finding-form-activities', '个别谈话')
    await page.keyboard.press('Escape')
    await visible(page, 'finding-form-save').click()
    await page.locator('[data-testid="finding-form-save"]:visible').waitFor({ state: 'hidden' })
    // The new workpaper opens in the drawer: issue a 立行立改 notice, record its receipt and completion.
    await visible(page, 'finding-detail-state').waitFor()
    await field(page, 'finding-immediate-requirement').fill('立即清退超标准接待费用，规范公务接待审批')
    // An immediate fix must be done within the round: its deadline is the round's last day at the latest.
    const roundEnd = await page.evaluate(async (id) => {
      const unit = await (await fetch(`/api/v1/round-units/${id}`)).json()
      return (await (await fetch(`/api/v1/rounds/${unit.round_id}`)).json()).end_date
    }, unitId)
    await field(page, 'finding-immediate-deadline').fill(roundEnd)
    await page.keyboard.press('Enter')
    await visible(page, 'finding-immediate-issue').click()
    await visible(page, 'finding-immediate').waitFor()
    await visible(page, 'finding-immediate-receipt').click()
    await visible(page, 'finding-immediate-done').click()
    await visible(page, 'finding-immediate-done').waitFor({ state: 'hidden' })
    await closeDrawer(page)
    await page.getByTestId('finding-table').locator('tr', { hasText: FINDING_TITLE }).getByText('已完成').waitFor()
    await page.getByTestId('finding-table').getByText(FINDING_TITLE).waitFor()

    stage = 'inspector registers a clue'
    await openTab(page, 'clues')
    await visible(page, 'clue-add').click()
    await pickOption(page, 'clue-form-source', '谈话')
    await field(page, 'clue-form-summary').fill(CLUE_SUMMARY)
    await field(page, 'clue-form-subject').fill('张某')
    await field(page, 'clue-form-post').fill('某处处长')
    await field(page, 'clue-form-informant').fill('李某')
    await field(page, 'clue-form-facts').fill('2025年春节前收受管理服务对象礼金2万元')
    await visible(page, 'clue-form-save').click()
    await page.locator('[data-testid="clue-form-save"]:visible').waitFor({ state: 'hidden' })
    await page.getByTestId('clue-table').getByText(CLUE_SUMMARY).waitFor()
    await logout(page)

    // --- The office director: confirm the finding, move the unit to the feedback. --------------
    stage = 'director confirms the finding'
    await login(page, 'prov.director')
    assert.equal(await openUnit(page), unitId, 'the director reaches the same unit')
    await openTab(page, 'findings')
    await page.getByTestId('finding-table').getByText(FINDING_TITLE).click()
    await visible(page, 'finding-detail-state').waitFor()
    await transition(page, 'finding-transition-CONFIRMED', '组务会研究同意')
    await visible(page, 'finding-transition-IN_REPORT').waitFor()
    await transition(page, 'finding-transition-IN_REPORT', '写入巡察报告')
    await closeDrawer(page)

    stage = 'director moves the unit'
    await openTab(page, 'overview')
    await visible(page, 'unit-steps').waitFor()
    // The demo unit may already be some way along (e.g. STATIONED): start from the step offered now.
    await page.locator('[data-testid^="unit-transition-"]:visible').first().waitFor()
    const offered = await page
      .locator('[data-testid^="unit-transition-"]:visible')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid').replace('unit-transition-', '')))
    const first = UNIT_STEPS.findIndex((s) => offered.includes(s))
    assert.ok(first >= 0, `one of ${UNIT_STEPS.join(', ')} is offered (offered: ${offered.join(', ')})`)
    for (const to of UNIT_STEPS.slice(first)) {
      stage = `director moves the unit to ${to}`
      await transition(page, `unit-transition-${to}`, `办理：${to}`)
      if (to === 'REPORT_APPROVED') await page.getByTestId('unit-state').getByText('报告已审定').waitFor()
    }
    await page.getByTestId('unit-state').getByText('已反馈').waitFor()
    await page.getByTestId('event-timeline').getByText('已反馈').first().waitFor()

    // The feedback made the finding part of the problem list (FED_BACK).
    const states = await page.evaluate(async (id) => {
      const res = await fetch(`/api/v1/findings?round_unit_id=${id}&page=1&page_size=100`)
      return res.ok ? (await res.json()).items.map((f) => [f.title, f.state]) : res.status
    }, unitId)
    assert.deepEqual(
      states.find((f) => f[0] === FINDING_TITLE),
      [FINDING_TITLE, 'FED_BACK'],
    )
    await page.screenshot({ path: join(RESULTS, 'inspection.png'), fullPage: true })
    await logout(page)

    // --- The inspected unit's liaison: the problem list, and nothing of the clue. --------------
    stage = 'liaison reads the problem list'
    await login(page, 'dept.liaison')
    const menu = page.getByTestId('app-menu')
    await menu.locator('.el-menu-item', { hasText: '问题清单' }).click()
    await page.waitForURL(/\/problems/)
    await page.getByTestId('problem-table').getByText(FINDING_TITLE).waitFor()
    for (const hidden of ['问题线索', '线索处置']) {
      assert.equal(await menu.getByText(hidden).count(), 0, `no ${hidden} in the liaison's menu`)
    }
    assert.ok(!(await page.content()).includes(CLUE_SUMMARY), 'the clue summary is nowhere on the problem list page')
    await page.screenshot({ path: join(RESULTS, 'inspection-problems.png'), fullPage: true })

    stage = 'liaison tries the unit page and the clue API'
    await page.goto(`${baseUrl}/inspection/units/${unitId}?tab=clues`)
    await page.getByTestId('app-user').waitFor()
    await page.waitForLoadState('networkidle')
    assert.equal(await page.locator('#tab-clues').count(), 0, 'no 问题线索 tab for the liaison')
    assert.ok(!(await page.content()).includes(CLUE_SUMMARY), 'the clue summary is nowhere on the unit page')
    const clueAnswer = await page.evaluate(async (id) => {
      const res = await fetch(`/api/v1/clues?round_unit_id=${id}`)
      return { status: res.status, body: await res.text() }
    }, unitId)
    assert.ok(
      !clueAnswer.body.includes(CLUE_SUMMARY),
      `the clue API tells the liaison nothing (HTTP ${clueAnswer.status})`,
    )
  } catch (error) {
    await reportFailure(page, { screenshot: 'inspection-failure.png', stage, consoleErrors, platform })
    throw error
  } finally {
    await context.close()
  }
})

test(
  'a clue goes from the team to the discipline body and back with its disposition',
  { timeout: 300_000 },
  async () => {
    const { context, page, consoleErrors } = await openPage(browser)
    const summary = `反映基建处违规插手工程-${STAMP}`
    let stage = 'start'

    const openClue = async () => {
      await openTab(page, 'clues')
      await page.getByTestId('clue-table').getByText(summary).click()
      await visible(page, 'clue-detail-state').waitFor()
    }

    try {
      stage = 'inspector registers and triages the clue'
      await login(page, 'prov.inspector')
      await openUnit(page, OTHER_UNIT)
      await openTab(page, 'clues')
      await visible(page, 'clue-add').click()
      await pickOption(page, 'clue-form-source', '信访')
      await field(page, 'clue-form-summary').fill(summary)
      await field(page, 'clue-form-subject').fill('王某')
      await field(page, 'clue-form-post').fill('基建处处长')
      await field(page, 'clue-form-facts').fill('2025年多次打招呼干预校舍改造工程招标')
      await visible(page, 'clue-form-save').click()
      await page.locator('[data-testid="clue-form-save"]:visible').waitFor({ state: 'hidden' })
      await openClue()
      await visible(page, 'clue-triage-decision').getByText('作为问题线索').click()
      await field(page, 'clue-triage-comment').fill('组务会研究：具体可查')
      await visible(page, 'clue-triage-submit').click()
      await transition(page, 'clue-transition-REPORTED', '形成问题线索报告')
      await closeDrawer(page)
      await logout(page)

      stage = 'director approves and transfers the clue'
      await login(page, 'prov.director')
      await openUnit(page, OTHER_UNIT)
      await openClue()
      await transition(page, 'clue-transition-TRANSFER_APPROVED', '领导小组同意移交')
      await visible(page, 'clue-transfer-org').click()
      await page.keyboard.type('纪委监委')
      await page.locator('.el-select-dropdown__item:visible', { hasText: DISCIPLINE_ORG }).first().click()
      await field(page, 'clue-transfer-letter').fill(`江巡移〔2026〕${STAMP}号`)
      await visible(page, 'clue-transfer-submit').click()
      await visible(page, 'clue-doc-transfer').waitFor()
      await closeDrawer(page)
      await logout(page)

      stage = 'discipline body signs for the clue and reports the disposition'
      await login(page, 'prov.discipline')
      await page.getByTestId('app-menu').locator('.el-menu-item', { hasText: '线索处置' }).click()
      await page.waitForURL(/\/clues/)
      const row = page.getByTestId('disposal-table').locator('tr', { hasText: summary })
      await row.getByRole('button', { name: '签收' }).click()
      await visible(page, 'clue-dispose-kind').waitFor()
      await pickOption(page, 'clue-dispose-kind', '初核')
      await field(page, 'clue-dispose-result').fill('经初核，反映问题部分属实，已立案审查')
      await visible(page, 'clue-dispose-submit').click()
      await page.locator('[data-testid="clue-dispose-submit"]:visible').waitFor({ state: 'hidden' })
      await closeDrawer(page)
      await row.getByRole('button', { name: '签收' }).waitFor({ state: 'detached' })
      const states = await page.evaluate(async () => {
        // One page (the largest) of the inbox: the clue was transferred moments ago.
        const res = await fetch('/api/v1/clues?received=true&page_size=200')
        return res.ok ? (await res.json()).items.map((c) => [c.summary, c.state, c.disposition]) : res.status
      })
      assert.deepEqual(
        states.find((c) => c[0] === summary),
        [summary, 'RESULT_FED_BACK', 'preliminary'],
      )
      await page.screenshot({ path: join(RESULTS, 'inspection-clue.png'), fullPage: true })
    } catch (error) {
      await reportFailure(page, { screenshot: 'inspection-clue-failure.png', stage, consoleErrors, platform })
      throw error
    } finally {
      await context.close()
    }
  },
)

test(
  'a recusal conflict is shown in full and an approved exception assigns the member',
  { timeout: 120_000 },
  async () => {
    const { context, page, consoleErrors } = await openPage(browser)
    try {
      await login(page, 'prov.director')
      await page.locator('.el-menu-item', { hasText: '届次与轮次' }).click()
      await page.getByTestId('term-table').locator('tr', { hasText: TERM }).first().click()
      await page.getByTestId('round-table').getByText(ROUND, { exact: true }).click()
      const team = page.getByTestId('team-panel').locator('[data-testid^="team-"]', { hasText: TEAM }).first()
      await team.getByTestId('team-add-member').click()

      await visible(page, 'member-person').click()
      await page.keyboard.type(CONFLICTED)
      await page.locator('.el-select-dropdown__item:visible', { hasText: CONFLICTED }).first().click()
      await visible(page, 'member-submit').click()
      const conflicts = page.locator('[data-testid="member-conflict"]:visible')
      await conflicts.first().waitFor()
      assert.ok(
        (await conflicts.allInnerTexts()).some((text) => text.includes('亲属回避')),
        'the 亲属回避 conflict is listed',
      )

      // The exception is requested with a reason; an approver other than the requester decides it
      // (crates/api/tests/api/recusal.rs), so here the request is listed as pending.
      await visible(page, 'member-override').click()
      await field(page, 'member-reason').fill('熟悉财政业务，经批准编入，不参与财政厅问题核实')
      await visible(page, 'member-override-submit').click()
      await page.locator('[data-testid="member-override-submit"]:visible').waitFor({ state: 'hidden' })
      await page.locator('[data-testid="recusal-requests"]', { hasText: CONFLICTED }).waitFor()
    } catch (error) {
      await reportFailure(page, { screenshot: 'inspection-recusal-failure.png', consoleErrors, platform })
      throw error
    } finally {
      await context.close()
    }
  },
)
