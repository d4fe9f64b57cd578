// Browser end-to-end test of the 工作台: the office director's to-do cards open their filtered lists; on a phone
// (390×844) a unit liaison's cards stack in one column and the menu is a drawer opened from the top bar.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { openPage, reportFailure, startPlatform } from './support.mjs'
import { login, visible } from './pages.mjs'

let env

before(async () => {
  env = await startPlatform()
})

after(async () => {
  await env?.stop()
})

test('the director opens the red warnings from a to-do card', { timeout: 120_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser)
  let stage = 'login'
  try {
    await login(page, env.baseUrl, 'prov.director')
    stage = 'the to-do cards'
    const red = page.getByTestId('todo-warning_red')
    await red.waitFor()
    const count = Number((await red.locator('.todo-count').innerText()).trim())
    assert.ok(count >= 1, `the demo's overdue item is red (${count})`)
    await page.getByTestId('todo-plan_review').waitFor()
    await page.getByTestId('home-headline').waitFor()
    await page.getByTestId('home-notifications').waitFor()

    stage = 'the filtered ledger'
    await red.click()
    await page.waitForURL((url) => url.pathname === '/rect/ledger' && url.searchParams.get('warning') === 'red')
    const rows = page.locator('.el-table__body-wrapper tbody tr:visible')
    await rows.first().waitFor()
    assert.equal(await rows.count(), count, 'the ledger lists as many items as the card counts')
  } catch (error) {
    await reportFailure(page, { screenshot: 'workbench.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})

test('on a phone the cards stack and the menu is a drawer', { timeout: 120_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser, {
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    isMobile: true,
    hasTouch: true,
  })
  let stage = 'login'
  try {
    await login(page, env.baseUrl, 'dept.liaison')
    stage = 'one column of cards'
    const cards = page.locator('[data-testid="home-todos"] .todo-card')
    await cards.first().waitFor()
    assert.ok((await cards.count()) >= 2)
    const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()]
    assert.equal(Math.round(a.x), Math.round(b.x), 'the cards share one column')
    assert.ok(b.y >= a.y + a.height, 'the second card is below the first')
    assert.ok(a.x + a.width <= 390, 'no card runs off the screen')
    assert.equal(await page.locator('.app-aside:visible').count(), 0, 'no sidebar on a phone')

    stage = 'the drawer menu'
    await page.getByTestId('app-menu-button').click()
    await visible(page, 'app-menu').waitFor()
    await visible(page, 'menu-/rect/ledger').click()
    await page.waitForURL((url) => url.pathname === '/rect/ledger')
    await visible(page, 'app-menu').waitFor({ state: 'hidden' })
  } catch (error) {
    await reportFailure(page, { screenshot: 'workbench-phone.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})
