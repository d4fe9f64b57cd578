// Shared page helpers of the browser end-to-end tests (Playwright locators and steps on the Element Plus
// screens). Not a test file itself (node --test runs *.test.mjs only).
import { PASSWORD } from './support.mjs'

/** The visible elements with this data-testid. */
export const visible = (page, testid) => page.locator(`[data-testid="${testid}"]:visible`)

/** The <input>/<textarea> of an Element Plus field, whether the test id sits on it or on its wrapper. */
export const fieldIn = (scope, testid) =>
  scope
    .locator(
      `input[data-testid="${testid}"]:visible, textarea[data-testid="${testid}"]:visible, [data-testid="${testid}"]:visible input, [data-testid="${testid}"]:visible textarea`,
    )
    .first()

/** Signs in on the login page at `baseUrl` and waits for the signed-in layout. */
export async function login(page, baseUrl, username, password = PASSWORD) {
  await page.goto(`${baseUrl}/login`)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.getByTestId('app-user').waitFor()
}

/** Signs out through the user menu. */
export async function logout(page) {
  await page.getByTestId('app-user').click()
  await visible(page, 'app-logout').click()
  await page.waitForURL(/\/login/)
}

/** Confirms an ElMessageBox. */
export async function confirmBox(page) {
  await page.locator('.el-message-box:visible').getByRole('button', { name: '确定' }).click()
}
