// Browser end-to-end test of the 领导驾驶舱: the province director opens the dashboard, drills into a city,
// and its count opens the ledger with that organisation's filter, listing as many items; on a phone
// (390×844) the cards stack in one column.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { openPage, reportFailure, startPlatform } from './support.mjs'
import { login } from './pages.mjs'

let env

before(async () => {
  env = await startPlatform()
})

after(async () => {
  await env?.stop()
})

/** The dashboard the server answers for `query`, read with the page's session. */
async function dashboard(page, query = '') {
  return page.evaluate(async (q) => (await fetch(`/api/v1/dashboard${q}`)).json(), query)
}

test('the director drills into a child and opens its ledger', { timeout: 120_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser)
  let stage = 'login'
  try {
    await login(page, env.baseUrl, 'prov.director')
    stage = 'the dashboard'
    await page.goto(`${env.baseUrl}/dashboard`)
    await page.getByTestId('dash-figure-items').waitFor()
    const root = await dashboard(page)
    const total = Number((await page.getByTestId('dash-figure-items').locator('.dash-value').innerText()).trim())
    assert.equal(total, root.rect.stats.total, 'the headline is the server figure')

    stage = 'drill into a child'
    const city = root.children.find((c) => c.drill && c.total > 0)
    assert.ok(city, 'a child with items')
    await page.getByTestId(`dash-child-${city.org_id}`).click()
    await page.waitForURL(
      (url) => url.pathname === '/dashboard' && url.searchParams.get('org_id') === String(city.org_id),
    )
    await page.getByTestId(`dash-crumb-${root.org.org_id}`).waitFor()
    await page.getByTestId('dash-org').filter({ hasText: city.name }).waitFor()

    stage = 'the count opens the ledger with its filter'
    const inner = await dashboard(page, `?org_id=${city.org_id}`)
    assert.equal(inner.rect.stats.total, city.total, 'the drilled total is the row it came from')
    await page
      .getByTestId('dash-figure-items')
      .filter({ hasText: String(city.total) })
      .click()
    await page.waitForURL(
      (url) => url.pathname === '/rect/ledger' && url.searchParams.get('org_id') === String(city.org_id),
    )
    const rows = page.locator('[data-testid="ledger-table"] .el-table__body-wrapper tbody tr:visible')
    await rows.first().waitFor()
    assert.equal(await rows.count(), Math.min(city.total, 20), 'the ledger lists the items the figure counts')
    const pagerTotal = await page.locator('.el-pagination__total').first().innerText()
    assert.ok(pagerTotal.includes(String(city.total)), `the ledger's total is the figure (${pagerTotal})`)

    stage = 'back up by the crumbs'
    await page.goBack()
    await page.getByTestId(`dash-crumb-${root.org.org_id}`).click()
    await page.waitForURL(
      (url) => url.pathname === '/dashboard' && url.searchParams.get('org_id') === String(root.org.org_id),
    )
    await page.getByTestId(`dash-child-${city.org_id}`).waitFor()
  } catch (error) {
    await reportFailure(page, { screenshot: 'dashboard.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})

test('on a phone the dashboard cards stack', { timeout: 120_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser, {
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    isMobile: true,
    hasTouch: true,
  })
  let stage = 'login'
  try {
    await login(page, env.baseUrl, 'prov.director')
    stage = 'one column of cards'
    await page.goto(`${env.baseUrl}/dashboard`)
    const a = page.getByTestId('dash-children')
    const b = page.getByTestId('dash-categories')
    await b.waitFor()
    const [ra, rb] = [await a.boundingBox(), await b.boundingBox()]
    assert.equal(Math.round(ra.x), Math.round(rb.x), 'the cards share one column')
    assert.ok(ra.x + ra.width <= 390, 'no card runs off the screen')
  } catch (error) {
    await reportFailure(page, { screenshot: 'dashboard-phone.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})
