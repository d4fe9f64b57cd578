// Browser end-to-end test of 上下联动 (docs/network.md): the province office issues a task to a county office; the
// county's 工作台 counts it and opens its inbox, where it accepts and reports back; the province sees the report and
// confirms it (已办结); then it pushes a focus point down, which the county sees.
//
//   XUNCHA_BIN=/path/to/xuncha node --test e2e/linkage.test.mjs
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { TEST_TODAY, openPage, reportFailure, startPlatform } from './support.mjs'
import { fieldIn, login, logout, visible } from './pages.mjs'

const TITLE = '同步开展内部巡察（联动测试）'
const REPORT = '已部署县委本轮巡察同步开展'
const FOCUS = '惠民资金发放不及时（联动重点）'

let env

before(async () => {
  env = await startPlatform()
})

after(async () => {
  await env?.stop()
})

/** The deadline: ten days after the server's pinned date. */
function deadline() {
  const d = new Date(`${TEST_TODAY}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 10)
  return d.toISOString().slice(0, 10)
}

test('a task goes down to a county and its report comes back', { timeout: 180_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser)
  let stage = 'login as the province'
  try {
    await login(page, env.baseUrl, 'prov.director')
    const county = await page.evaluate(async () => {
      const r = await (await fetch('/api/v1/orgs?q=990101&page=1&page_size=20')).json()
      return r.items.find((o) => o.code === '990101').name
    })

    stage = 'issue the task'
    await page.goto(`${env.baseUrl}/linkage`)
    await visible(page, 'linkage-create').click()
    await fieldIn(page, 'linkage-form-title').fill(TITLE)
    await fieldIn(page, 'linkage-form-content').fill('请各县巡察办同步开展内部巡察并按期反馈。')
    const date = fieldIn(page, 'linkage-form-deadline')
    await date.fill(deadline())
    await date.press('Enter')
    await fieldIn(page, 'linkage-form-orgs').fill('990101')
    await page.locator('.el-select-dropdown__item:visible', { hasText: county }).first().click()
    // A multiple select stays open: close it by clicking the dialog's title.
    await page.locator('.el-dialog__title:visible').click()
    await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' })
    await visible(page, 'linkage-form-submit').click()
    const recipients = visible(page, 'linkage-recipients')
    await recipients.getByText(county).waitFor()
    await recipients.getByText('待接收').waitFor()
    await page.locator('.el-drawer__close-btn:visible').click()
    await recipients.waitFor({ state: 'hidden' })
    await logout(page)

    stage = 'the county counts it on its 工作台'
    await login(page, env.baseUrl, 'county0101.director')
    const card = page.getByTestId('todo-linkage_todo')
    await card.waitFor()
    assert.equal((await card.locator('.todo-count').innerText()).trim(), '1')
    await card.click()
    await page.waitForURL((url) => url.pathname === '/linkage' && url.searchParams.get('todo') === 'true')

    stage = 'the county accepts and reports back'
    const inbox = visible(page, 'linkage-inbox')
    await inbox.getByText(TITLE).waitFor()
    await visible(page, 'linkage-accept').first().click()
    await inbox.getByText('已接收').waitFor()
    await visible(page, 'linkage-report').first().click()
    await fieldIn(page, 'linkage-report-text').fill(REPORT)
    await visible(page, 'linkage-report-submit').click()
    // Reported back, it no longer waits for the county: gone from the to-do filter, listed without it.
    await inbox.getByText(TITLE).waitFor({ state: 'hidden' })
    await visible(page, 'linkage-todo-filter').locator('.el-tag__close').click()
    await inbox.getByText('已反馈').waitFor()
    await logout(page)

    stage = 'the province confirms'
    await login(page, env.baseUrl, 'prov.director')
    await page.goto(`${env.baseUrl}/linkage`)
    const issued = visible(page, 'linkage-issued')
    await issued.getByText(TITLE).first().click()
    const detail = visible(page, 'linkage-recipients')
    await detail.getByText(REPORT).waitFor()
    await visible(page, 'linkage-confirm').first().click()
    await detail.getByText('已办结').waitFor()
    await page.locator('.el-drawer__close-btn:visible').click()
    await detail.waitFor({ state: 'hidden' })

    stage = 'the province pushes a focus point down'
    await page.getByRole('tab', { name: '联动重点' }).click()
    await visible(page, 'focus-create').click()
    await fieldIn(page, 'focus-form-title').fill(FOCUS)
    await fieldIn(page, 'focus-form-content').fill('部分惠民资金滞留未发放')
    await fieldIn(page, 'focus-form-orgs').fill('990101')
    await page.locator('.el-select-dropdown__item:visible', { hasText: county }).first().click()
    await page.locator('.el-dialog__title:visible').click()
    await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' })
    await visible(page, 'focus-form-submit').click()
    await visible(page, 'linkage-focus').getByText(FOCUS).waitFor()
    await logout(page)

    stage = 'the county sees the focus point pushed to it'
    await login(page, env.baseUrl, 'county0101.director')
    await page.goto(`${env.baseUrl}/linkage`)
    await page.getByRole('tab', { name: '联动重点' }).click()
    await visible(page, 'linkage-focus').getByText(FOCUS).click()
    await visible(page, 'focus-detail').getByText(county).waitFor()
  } catch (error) {
    await reportFailure(page, { screenshot: 'linkage.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})
