// Browser end-to-end test of 码上巡察 (the public channel): on a 390 px phone with WeChat's user agent, a citizen
// opens the channel's page, reports anonymously with a photo and gets the receipt; the team (through the API) asks
// a question; the citizen answers on the follow-up page; the team converts the report into a clue. The photo's
// EXIF block is gone when the team downloads it. A second report goes the 转办 way through the screens: the team
// transfers it to the unit, the unit's liaison replies on a phone, the team returns it once and then accepts it, and
// the citizen reads the result.
//
//   XUNCHA_BIN=/path/to/xuncha npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PASSWORD, TEST_TODAY, openPage, reportFailure, startPlatform } from './support.mjs'
import { fieldIn, login, logout, visible } from './pages.mjs'

let env

before(async () => {
  env = await startPlatform()
})

after(async () => {
  await env?.stop()
})

const WECHAT =
  'Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 ' +
  'Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2308 MicroMessenger/8.0.47.2560(0x28002F30) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64'

/** A small JPEG carrying an EXIF block with a marker. */
function jpegWithExif() {
  const seg = (marker, payload) => {
    const len = Buffer.alloc(2)
    len.writeUInt16BE(payload.length + 2)
    return Buffer.concat([Buffer.from([0xff, marker]), len, payload])
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    seg(0xe1, Buffer.from('Exif\0\0MM\0*GPS 21.66N SERIAL E2EEXIFMARK', 'latin1')),
    seg(0xdb, Buffer.alloc(65)),
    seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([0x7f, 0xff, 0x00, 0x3c, 0x11, 0xff, 0xd9]),
  ])
}

/** A logged-in API client (session cookie + CSRF header) for the team's side. */
async function staff(apiUrl, username) {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  assert.equal(res.status, 200, `login ${username}`)
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0])
  const csrf = cookies.find((c) => c.startsWith('xuncha_csrf=')).split('=')[1]
  const headers = { cookie: cookies.join('; '), 'x-csrf-token': csrf }
  const call = async (method, path, body) => {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
      body: body ? JSON.stringify(body) : undefined,
    })
    const type = r.headers.get('content-type') || ''
    const data = type.includes('json') ? await r.json() : Buffer.from(await r.arrayBuffer())
    return { status: r.status, data }
  }
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) }
}

test(
  'a citizen reports from WeChat, answers the team, and the report becomes a clue',
  { timeout: 180_000 },
  async () => {
    const { context, page, consoleErrors } = await openPage(env.browser, {
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
      userAgent: WECHAT,
    })
    let stage = 'the channel'
    try {
      const team = await staff(env.apiUrl, 'prov.inspector')
      const units = await team.get('/api/v1/round-units?page_size=200')
      const unit = units.data.items.find((u) => u.org_name === '江岭省财政厅')
      assert.ok(unit, 'the demo unit')
      const ch = await team.post(`/api/v1/round-units/${unit.id}/public-channel`, { origin: env.apiUrl })
      assert.equal(ch.status, 200, JSON.stringify(ch.data))
      assert.ok(ch.data.qr_svg.includes('<svg'))

      stage = 'the public page'
      let bytes = 0
      page.on('response', async (r) => {
        const body = await r.body().catch(() => Buffer.alloc(0))
        bytes += body.length
      })
      await page.goto(ch.data.url)
      await page.locator('#f-report').waitFor()
      assert.ok(bytes < 150 * 1024, `first load ${bytes} bytes`)
      assert.match(await page.locator('#elsewhere').innerText(), /涉法涉诉/)

      stage = 'the report'
      await page.selectOption('#category', 'corruption')
      await page.fill('#subject', '某处处长')
      await page.fill('#happened', '2025年春节前')
      await page.fill('#facts', '收受服务对象购物卡。')
      await page.setInputFiles('#files', { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif() })
      await page.click('#submit')
      await page.locator('#receipt').waitFor()
      const code = (await page.locator('#r-code').innerText()).trim()
      const secret = (await page.locator('#r-secret').innerText()).trim()
      assert.match(code, /^\d{4}-\d{4}-\d{4}-\d{4}$/)
      assert.equal(secret.length, 10)
      await page.click('#copy')
      await page.locator('#copied').waitFor()

      stage = 'the team asks'
      const list = await team.get(`/api/v1/public-reports?round_unit_id=${unit.id}`)
      assert.equal(list.status, 200)
      const report = list.data.items[0]
      const detail = await team.get(`/api/v1/public-reports/${report.id}`)
      assert.equal(detail.data.files.length, 1)
      const photo = await team.get(`/api/v1/public-reports/${report.id}/files/${detail.data.files[0].id}`)
      assert.equal(photo.status, 200)
      assert.ok(!photo.data.includes('E2EEXIFMARK') && !photo.data.includes('Exif'), 'EXIF removed')
      const asked = await team.post(`/api/v1/public-reports/${report.id}/questions`, {
        question: '请问购物卡面额多少？',
      })
      assert.equal(asked.status, 200, JSON.stringify(asked.data))

      stage = 'the follow-up'
      await page.click('#tab-follow')
      await page.fill('#f-code', code)
      await page.fill('#f-secret', 'WRONGWRONG')
      await page.locator('#f-follow button[type=submit]').click()
      await page.locator('#follow-err').getByText('回执编码或查询密码不正确').waitFor()
      await page.fill('#f-secret', secret)
      await page.locator('#f-follow button[type=submit]').click()
      await page.locator('#s-messages').getByText('请问购物卡面额多少？').waitFor()
      await page.fill('#a-message', '每张一千元，共十张。')
      await page.locator('#f-answer button[type=submit]').click()
      await page.locator('#s-messages').getByText('每张一千元，共十张。').waitFor()

      stage = 'the clue'
      const again = await team.get(`/api/v1/public-reports/${report.id}`)
      const converted = await team.post(`/api/v1/public-reports/${report.id}/clue`, { version: again.data.version })
      assert.equal(converted.status, 201, JSON.stringify(converted.data))
      const clue = await team.get(`/api/v1/clues/${converted.data.clue_id}`)
      assert.equal(clue.data.source, 'qr')
      assert.match(clue.data.facts, /每张一千元/)
      await page.locator('#f-follow button[type=submit]').click()
      await page.locator('#s-state').getByText('办结').waitFor()
      assert.ok(await page.locator('#f-answer').isHidden())
      // The wrong secret's 404 is logged by the browser as a failed resource; nothing else may be.
      assert.deepEqual(
        consoleErrors.filter((e) => !e.includes('status of 404')),
        [],
      )
    } catch (error) {
      await reportFailure(page, { screenshot: 'public-channel.png', stage, consoleErrors, platform: env.platform })
      throw error
    } finally {
      await context.close()
    }
  },
)

/** Submits a report through the public API; answers the receipt. */
async function report(url, facts) {
  const token = url.split('/r/')[1]
  const form = new FormData()
  form.set('category', 'work_style')
  form.set('subject', '预算处')
  form.set('facts', facts)
  form.set('named', 'false')
  const res = await fetch(`${env.apiUrl}/api/v1/public/channels/${token}/reports`, { method: 'POST', body: form })
  assert.equal(res.status, 201)
  return res.json()
}

test(
  'a report is transferred to the unit, its reply reviewed, and the citizen reads the result',
  { timeout: 240_000 },
  async () => {
    const { context, page, consoleErrors } = await openPage(env.browser, DESKTOP)
    let stage = 'the report'
    try {
      const team = await staff(env.apiUrl, 'prov.inspector')
      const units = await team.get('/api/v1/round-units?page_size=200')
      const unit = units.data.items.find((u) => u.org_name === '江岭省财政厅')
      const ch = await team.post(`/api/v1/round-units/${unit.id}/public-channel`, { origin: env.apiUrl })
      const receipt = await report(ch.data.url, '窗口办事推诿，E2ETRANSFERMARK。')

      stage = 'the team transfers it'
      await login(page, env.baseUrl, 'prov.inspector')
      await page.goto(`${env.baseUrl}/public-reports?state=NEW`)
      await visible(page, 'public-report-open').first().click()
      await visible(page, 'public-report-detail').getByText('E2ETRANSFERMARK').waitFor()
      await visible(page, 'public-report-transfer-open').click()
      await visible(page, 'public-report-transfer-org').click()
      await page.keyboard.type('财政厅')
      await page.locator('.el-select-dropdown__item:visible', { hasText: '江岭省财政厅' }).first().click()
      const deadline = new Date(Date.parse(`${TEST_TODAY}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10)
      await fieldIn(page, 'public-report-deadline').fill(deadline)
      await page.keyboard.press('Enter')
      await fieldIn(page, 'public-report-instruction').fill('请核查窗口办事推诿问题并回复。')
      await visible(page, 'public-report-transfer-save').click()
      await visible(page, 'public-report-transfer').getByText('待办理').waitFor()
      await page.goto(`${env.baseUrl}/`)
      await logout(page)

      stage = 'the liaison replies on a phone'
      const phone = await openPage(env.browser, {
        viewport: { width: 390, height: 844 },
        locale: 'zh-CN',
        isMobile: true,
      })
      try {
        await login(phone.page, env.baseUrl, 'dept.liaison')
        await phone.page.goto(`${env.baseUrl}/report-transfers?state=PENDING`)
        const table = visible(phone.page, 'report-transfer-table')
        await table.getByText('请核查窗口办事推诿问题并回复。').waitFor()
        assert.equal(await table.getByText('E2ETRANSFERMARK').count(), 0, 'the unit never reads the report')
        await visible(phone.page, 'report-transfer-reply').first().click()
        await fieldIn(phone.page, 'report-transfer-text').fill('已约谈窗口负责人，推诿问题已整改。')
        await visible(phone.page, 'report-transfer-send').click()
        await phone.page.getByText('已提交回复').waitFor()
        await table.getByText('请核查窗口办事推诿问题并回复。').waitFor({ state: 'detached' })
      } finally {
        await phone.context.close()
      }

      stage = 'the team accepts the reply'
      await login(page, env.baseUrl, 'prov.inspector')
      await page.goto(`${env.baseUrl}/public-reports?review=true`)
      await visible(page, 'public-report-open').first().click()
      await visible(page, 'public-report-transfer').getByText('推诿问题已整改').waitFor()
      await visible(page, 'public-report-accept-reply').click()
      await page.locator('.el-message-box:visible textarea').fill('经核查，窗口推诿问题属实，已督促整改。')
      await page.locator('.el-message-box:visible').getByRole('button', { name: '确定' }).click()
      await visible(page, 'public-report-transfer').getByText('已办结').waitFor()

      stage = 'the citizen reads the result'
      const res = await fetch(`${env.apiUrl}/api/v1/public/reports/follow-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ receipt_code: receipt.receipt_code, secret: receipt.secret }),
      })
      const status = await res.json()
      assert.equal(status.state_name, '办结')
      assert.match(status.reason, /已督促整改/)

      stage = 'the statistics'
      await page.goto(`${env.baseUrl}/public-reports`)
      await visible(page, 'public-report-stats-open').click()
      const figures = visible(page, 'public-report-stats')
      await figures.getByText('转办回复用时（小时）').waitFor()
      await figures.getByText('江岭省财政厅').waitFor()
      // Signing out leaves the session probe of the login page answered 401; nothing else may fail.
      assert.deepEqual(
        consoleErrors.filter((e) => !e.includes('status of 401')),
        [],
      )
    } catch (error) {
      await reportFailure(page, { screenshot: 'public-transfer.png', stage, consoleErrors, platform: env.platform })
      throw error
    } finally {
      await context.close()
    }
  },
)
