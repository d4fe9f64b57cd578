// Browser end-to-end test: the real server binary with demo data, driven through Debian's Chromium.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
//
// Starts `xuncha serve --demo` on a free loopback port with a fresh data directory, signs in as the
// provincial inspection office director, adds a unit under the root of the organisation tree and
// checks it appears in the tree. Leaves a screenshot in web/test-results/org.png.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { PASSWORD, RESULTS, launchBrowser, startServer } from './support.mjs'

const USERNAME = 'prov.director'

let platform
let baseUrl
let browser

before(async () => {
  platform = await startServer()
  baseUrl = platform.apiUrl
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close().catch(() => undefined)
  await platform?.stop()
})

test('the office director adds a unit under the root of the organisation tree', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN' })
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  const consoleErrors = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text())
  })
  page.on('pageerror', (error) => consoleErrors.push(String(error)))

  try {
    // Sign in.
    await page.goto(`${baseUrl}/`)
    await page.waitForURL(/\/login/)
    await page.getByTestId('login-username').fill(USERNAME)
    await page.getByTestId('login-password').fill(PASSWORD)
    await page.getByTestId('login-submit').click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
    await page.getByTestId('app-user').waitFor()

    // Open 组织机构 from the menu.
    await page.locator('.el-menu-item', { hasText: '组织机构' }).click()
    await page.waitForURL(/\/orgs/)
    const tree = page.getByTestId('org-tree')
    const root = tree.locator(':scope > .el-tree-node').first()
    const rootLabel = root.locator(':scope > .el-tree-node__content [data-testid="org-node"]')
    await rootLabel.waitFor()
    const rootName = (await rootLabel.locator('.org-node-name').innerText()).trim()

    // Select the root and add a child.
    await rootLabel.click()
    await page.getByTestId('org-details').getByText(rootName, { exact: true }).first().waitFor()
    const add = page.getByTestId('org-add')
    await add.waitFor()
    assert.equal(await add.isEnabled(), true, 'the 新增下级 button is enabled for the root')
    await add.click()

    await page.getByTestId('org-form-name').fill('测试新建单位')
    await page.getByTestId('org-form-code').fill('E2E-001')
    await page.getByTestId('org-form-kind').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '机关部门' }).click()
    await page.getByTestId('org-form-save').click()

    // The dialog closes and the new unit shows under the root (the page expands the parent itself;
    // expand it here too if it is still closed).
    await page.getByTestId('org-form-save').waitFor({ state: 'hidden' })
    if (!(await root.getAttribute('aria-expanded'))?.includes('true')) {
      await root.locator(':scope > .el-tree-node__content .el-tree-node__expand-icon').click()
    }
    const created = root.locator('.el-tree-node__children [data-testid="org-node"]', { hasText: '测试新建单位' })
    await created.first().waitFor({ state: 'visible' })
    assert.equal(await created.count(), 1, 'exactly one new node under the root')

    // The new unit is selected and its details are shown.
    const details = page.getByTestId('org-details')
    await details.getByText('E2E-001', { exact: true }).waitFor()
    await details.getByText('机关部门', { exact: true }).waitFor()

    // The API agrees (same session, through the page).
    const found = await page.evaluate(async () => {
      const res = await fetch('/api/v1/orgs?q=E2E-001&page=1&page_size=20')
      return res.ok ? (await res.json()).items.map((o) => ({ name: o.name, kind: o.kind })) : res.status
    })
    assert.deepEqual(found, [{ name: '测试新建单位', kind: 'department' }])

    await page.screenshot({ path: join(RESULTS, 'org.png'), fullPage: true })
  } catch (error) {
    await page.screenshot({ path: join(RESULTS, 'org-failure.png'), fullPage: true }).catch(() => undefined)
    if (consoleErrors.length) console.error('browser console errors:\n' + consoleErrors.join('\n'))
    console.error('server log (tail):\n' + platform.log().slice(-4000))
    throw error
  } finally {
    await context.close()
  }
})
