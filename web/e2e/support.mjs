// Shared setup of the browser end-to-end tests: the real server binary with demo data on a free
// loopback port, and Debian's Chromium. Not a test file itself (node --test runs *.test.mjs only).
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url))
export const WEB_ROOT = fileURLToPath(new URL('../', import.meta.url))
export const PASSWORD = 'Xuncha@2026'
/** The day the server's clock is pinned to (see startServer). */
export const TEST_TODAY = process.env.XUNCHA_TEST_TODAY || '2026-11-23'

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Starts `$XUNCHA_BIN serve --demo` with a fresh data directory and waits for /healthz.
 * `options.env`: extra environment variables for the server (e.g. `{ XUNCHA_CLOCK_CONTROL: 'true' }`);
 * they are set after the inherited XUNCHA_* variables are dropped.
 * The server's clock is pinned to `XUNCHA_TEST_TODAY` (default 2026-11-23), so the tests run on
 * the same day whatever the date, and CI can run them on other days.
 * Returns `{ apiUrl, log(), stop() }`; `stop()` also removes the data directory.
 */
export async function startServer(options = {}) {
  const bin = process.env.XUNCHA_BIN
  if (!bin) {
    throw new Error(
      'XUNCHA_BIN is not set: point it at the built server binary, e.g. XUNCHA_BIN=../target/debug/xuncha npm run e2e',
    )
  }
  mkdirSync(RESULTS, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), 'xuncha-e2e-'))
  const port = await freePort()
  const apiUrl = `http://127.0.0.1:${port}`
  let log = ''
  const server = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The server reads its configuration from XUNCHA_* variables and refuses unknown ones (XUNCHA_BIN).
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('XUNCHA_'))),
      NO_COLOR: '1',
      XUNCHA_CLOCK_CONTROL: 'true',
      XUNCHA_CLOCK_START: TEST_TODAY,
      ...(options.env ?? {}),
    },
  })
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-20_000)
  }
  server.stdout.on('data', keep)
  server.stderr.on('data', keep)
  server.on('error', (error) => keep(`spawn error: ${error}\n`))

  const stop = () => {
    const done = () => rmSync(dataDir, { recursive: true, force: true })
    if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve(done())
    return new Promise((resolve) => {
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000)
      server.once('exit', () => {
        clearTimeout(timer)
        resolve(done())
      })
      server.kill('SIGTERM')
    })
  }

  const url = `${apiUrl}/healthz`
  const deadline = Date.now() + 60_000
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`xuncha exited with code ${server.exitCode} before becoming healthy:\n${log}`)
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return { apiUrl, log: () => log, stop }
      last = `HTTP ${res.status}`
    } catch (error) {
      last = String(error?.cause?.code ?? error)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`${url} did not answer 200 within 60 s (last: ${last}):\n${log}`)
}

/** Launches Debian's Chromium headless, without network chatter. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  })
}

/**
 * What a test file's `before` starts: the server (startServer, with `options`), in front of it this
 * checkout's web/dist when E2E_WEB=dist (a Vite preview that passes /api and /healthz to the
 * binary, to try the screens without rebuilding it), and the browser.
 * Returns `{ platform, apiUrl, baseUrl, browser, stop() }`; `baseUrl` is where the pages are.
 */
export async function startPlatform(options = {}) {
  const platform = await startServer(options)
  const apiUrl = platform.apiUrl
  let baseUrl = apiUrl
  let webServer
  let browser
  const stop = async () => {
    await browser?.close().catch(() => undefined)
    await webServer?.close().catch(() => undefined)
    await platform.stop()
  }
  try {
    if (process.env.E2E_WEB === 'dist') {
      const { preview } = await import('vite')
      const webPort = await freePort()
      webServer = await preview({
        root: WEB_ROOT,
        configFile: false,
        logLevel: 'warn',
        build: { outDir: 'dist' },
        preview: { host: '127.0.0.1', port: webPort, strictPort: true, proxy: { '/api': apiUrl, '/healthz': apiUrl } },
      })
      baseUrl = `http://127.0.0.1:${webPort}`
    }
    browser = await launchBrowser()
  } catch (error) {
    await stop()
    throw error
  }
  return { platform, apiUrl, baseUrl, browser, stop }
}

/** The desktop browser window of the tests. */
export const DESKTOP = { viewport: { width: 1366, height: 860 }, locale: 'zh-CN' }

/** Collects the page's console errors and uncaught exceptions into `sink`. */
export function watchErrors(page, sink) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') sink.push(msg.text())
  })
  page.on('pageerror', (error) => sink.push(String(error)))
}

/**
 * A new browser context (`contextOptions`, the desktop by default) and a page in it with a 20 s
 * default timeout whose console errors are collected. Returns `{ context, page, consoleErrors }`.
 */
export async function openPage(browser, contextOptions = DESKTOP) {
  const context = await browser.newContext(contextOptions)
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const consoleErrors = []
  watchErrors(page, consoleErrors)
  return { context, page, consoleErrors }
}

/**
 * After a failed test: a full-page screenshot in test-results/ (`screenshot`, the file name), where
 * it failed (`stage`, when the test keeps one), the browser's console errors and the server log's tail.
 */
export async function reportFailure(page, { screenshot, stage, consoleErrors, platform }) {
  await page.screenshot({ path: join(RESULTS, screenshot), fullPage: true }).catch(() => undefined)
  if (stage !== undefined) console.error(`failed at: ${stage}`)
  if (consoleErrors.length) console.error('browser console errors:\n' + consoleErrors.join('\n'))
  console.error('server log (tail):\n' + platform.log().slice(-4000))
}
