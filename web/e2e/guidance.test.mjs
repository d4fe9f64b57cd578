// Browser end-to-end test of 指导督导: a city office plans a guidance visit to one of its counties, records a
// problem in the county office's work and feeds it back; the county office finds it on its 工作台, reports its
// rectification and asks for 销号; the city office writes it off from its own to-do (listed 1 → rectified 1).
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { TEST_TODAY, openPage, reportFailure, startPlatform } from './support.mjs'
import { fieldIn, login, logout, visible } from './pages.mjs'

let env

before(async () => {
  env = await startPlatform()
})

after(async () => {
  await env?.stop()
})

/** `TEST_TODAY` plus `days`, as YYYY-MM-DD. */
function day(days) {
  const d = new Date(`${TEST_TODAY}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** Picks the option named `name` of the Element Plus select with this test id. */
async function pick(page, testid, name) {
  await visible(page, testid).click()
  const options = page.locator('.el-select-dropdown__item:visible')
  await (name ? options.filter({ hasText: name }) : options).first().click()
  // A multiple select stays open: a click on the dialog's title closes it.
  const title = page.locator('.el-dialog:visible .el-dialog__title')
  if ((await title.count()) > 0) await title.first().click()
}

async function todoCount(page, kind) {
  const card = page.getByTestId(`todo-${kind}`)
  await card.waitFor()
  return { card, count: Number((await card.locator('.todo-count').innerText()).trim()) }
}

test('a city guides a county office from the visit to 销号', { timeout: 180_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser)
  let stage = 'the county office'
  try {
    await login(page, env.baseUrl, 'county0101.director')
    const me = await (await page.request.get(`${env.baseUrl}/api/v1/auth/me`)).json()
    const county = me.org_name
    assert.ok(county, 'the county office has a name')
    await logout(page)

    stage = 'planning the visit'
    await login(page, env.baseUrl, 'city01.director')
    await page.goto(`${env.baseUrl}/guidance`)
    await page.getByTestId('guidance-new').click()
    await fieldIn(page, 'guidance-title').fill('对县级巡察工作的督导')
    // The period defaults to a month from today.
    await pick(page, 'guidance-orgs', county)
    await page.getByTestId('guidance-create').click()
    await page.waitForURL((url) => /^\/guidance\/visits\/\d+$/.test(url.pathname))

    stage = 'recording and feeding back a problem'
    await visible(page, 'guidance-move-IN_PROGRESS').click()
    await visible(page, 'guidance-problem-add').waitFor()
    await pick(page, 'guidance-problem-org', county)
    await pick(page, 'guidance-problem-category', '巡察报告质量')
    await fieldIn(page, 'guidance-problem-text').fill('巡察报告初稿问题定性不准确')
    await page.getByTestId('guidance-problem-add').click()
    await page.locator('[data-testid="guidance-problems"] tbody tr', { hasText: '定性不准确' }).waitFor()
    await visible(page, 'guidance-move-FED_BACK').click()
    await page.getByTestId('guidance-visit-stats').filter({ hasText: '1 → 0' }).waitFor()
    await logout(page)

    stage = 'the county rectifies from its to-do'
    await login(page, env.baseUrl, 'county0101.director')
    const rectify = await todoCount(page, 'guidance_to_rectify')
    assert.equal(rectify.count, 1, 'one problem to rectify')
    await rectify.card.click()
    await page.waitForURL((url) => url.pathname === '/guidance/problems' && url.searchParams.get('side') === 'lower')
    await visible(page, 'guidance-rectify').click()
    await fieldIn(page, 'guidance-measure').fill('重新修改报告初稿并组织复核')
    const deadline = page.locator('.el-dialog:visible .el-date-editor input').first()
    await deadline.fill(day(30))
    await deadline.press('Enter')
    await visible(page, 'guidance-rectify-save').click()
    await page.locator('[data-testid="guidance-problems"] .el-tag', { hasText: '整改中' }).waitFor()
    await visible(page, 'guidance-request-write-off').click()
    // Asked to be written off, it leaves the list of problems to rectify.
    await page.getByTestId('guidance-problems-total').filter({ hasText: '共 0 个' }).waitFor()
    await logout(page)

    stage = 'the city writes it off'
    await login(page, env.baseUrl, 'city01.director')
    const verify = await todoCount(page, 'guidance_to_verify')
    assert.equal(verify.count, 1, 'one problem to verify')
    await verify.card.click()
    await page.waitForURL((url) => url.pathname === '/guidance/problems')
    await visible(page, 'guidance-write-off').click()
    await page.getByTestId('guidance-problems-total').filter({ hasText: '共 0 个' }).waitFor()
    await page.goto(`${env.baseUrl}/guidance`)
    await page.locator('[data-testid^="guidance-stats-"]', { hasText: '1 → 1' }).waitFor()
  } catch (error) {
    await reportFailure(page, { screenshot: 'guidance.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})
