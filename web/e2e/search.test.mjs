// Browser end-to-end test of search (issue 13): the office director types a traditional-script query into the top
// bar's box, the results page lists the demo's findings grouped by kind with the match highlighted, and a hit opens
// its record.
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

test('a traditional-script query in the top bar finds simplified findings', { timeout: 180_000 }, async () => {
  const { context, page, consoleErrors } = await openPage(env.browser)
  let stage = 'login'
  try {
    await login(page, env.baseUrl, 'prov.director')
    stage = 'the search box'
    const box = page.getByTestId('app-search')
    const hits = page.getByTestId('search-hit')
    // A new node builds its index in the background after start: ask again until it answers.
    for (let i = 0; i < 60; i++) {
      await box.fill('會議記錄')
      await box.press('Enter')
      await page.waitForURL((url) => url.pathname === '/search')
      await page.getByTestId('search-results').waitFor()
      await page.waitForLoadState('networkidle')
      if ((await hits.count()) > 0) break
      await page.waitForTimeout(1000)
      await page.goto(`${env.baseUrl}/`)
    }
    stage = 'the results'
    await hits.first().waitFor()
    assert.equal(new URL(page.url()).searchParams.get('q'), '會議記錄')
    const marked = await hits.first().locator('mark').allInnerTexts()
    assert.ok(
      marked.some((m) => m.includes('会议') || m.includes('记录')),
      `the simplified match is highlighted: ${marked}`,
    )
    const tabs = await page.getByTestId('search-tabs').locator('.el-tabs__item').allInnerTexts()
    assert.equal(tabs.length, 4, `${tabs}`)

    stage = 'a hit opens its record'
    await hits.first().getByTestId('search-hit-link').click()
    await page.waitForURL(
      (url) => url.pathname.startsWith('/rect/items/') || url.pathname.startsWith('/inspection/units/'),
    )
  } catch (error) {
    await reportFailure(page, { screenshot: 'search.png', stage, consoleErrors, platform: env.platform })
    throw error
  } finally {
    await context.close()
  }
})
