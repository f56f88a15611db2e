import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'

/** Debian's Chromium, the one `.ci/run` installs. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]

/** A headless Chromium with a fresh profile and one page. */
export interface TestBrowser {
  context: BrowserContext
  page: Page
  /** Messages the page logged as errors, and uncaught page errors (CSP violations show up here). */
  errors: string[]
  close(): Promise<void>
}

/** Launches Chromium on a throw-away user-data-dir. */
export async function launchBrowser(timeoutMs = 30_000): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tcp-lab-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    timeout: timeoutMs
  })
  context.setDefaultTimeout(10_000)
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
    }
  }
}
