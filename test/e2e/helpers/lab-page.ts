import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Page } from 'playwright-core'
import { startPeer } from '../../helpers/processes'
import type { LivePeer } from '../../helpers/processes'
import { launchBrowser } from './browser'
import type { TestBrowser } from './browser'
import { startWebLab, webBuildReady } from './web-lab'
import type { WebLab } from './web-lab'

/** How a test file wants its lab page. */
export interface LabPageOptions {
  /** Page size; Chromium's default when absent. */
  viewport?: { width: number; height: number }
  /** Emulated `prefers-color-scheme`; the system's when absent. */
  colorScheme?: 'light' | 'dark'
  /** Ignore write errors on a peer's stdin (a peer killed with a write still pending must not fail the run). */
  quietPeerStdin?: boolean
  /** Save a screenshot to /tmp when a test fails (default true). */
  failureScreenshots?: boolean
  /** Runs in afterAll once the browser and the lab are gone. */
  afterStop?: () => void
}

/** A running `tcp-lab web` with Chromium on its UI; the getters throw before beforeAll has run. */
export interface LabPage {
  readonly lab: WebLab
  readonly browser: TestBrowser
  readonly page: Page
  /** Starts a peer process that afterAll kills. */
  peer(cmd: string, args: string[]): LivePeer
}

/** Registers beforeAll/afterEach/afterAll hooks that start `tcp-lab web`, open it in Chromium and tear both down. */
export function setupLabPage(options: LabPageOptions = {}): LabPage {
  let lab: WebLab | undefined
  let browser: TestBrowser | undefined
  const peers: LivePeer[] = []
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: setupLabPage's beforeAll has not run`)
    return value
  }

  beforeAll(async () => {
    if (!webBuildReady())
      throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
    lab = await startWebLab()
    browser = await launchBrowser()
    const page = browser.page
    if (options.viewport) await page.setViewportSize(options.viewport)
    if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme })
    await page.goto(lab.url)
    await page.getByRole('button', { name: 'Start server' }).waitFor({ timeout: 15_000 })
  })

  if (options.failureScreenshots ?? true) {
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail' && browser) {
        await browser.page
          .screenshot({ path: `/tmp/tcp-lab-e2e-${task.name.replace(/\W+/g, '-')}.png` })
          .catch(() => undefined)
      }
    })
  }

  afterAll(async () => {
    for (const p of peers) p.kill()
    await browser?.close()
    await lab?.stop('SIGTERM')
    options.afterStop?.()
  })

  return {
    get lab() {
      return ready(lab, 'the lab')
    },
    get browser() {
      return ready(browser, 'the browser')
    },
    get page() {
      return ready(browser, 'the browser').page
    },
    peer(cmd, args) {
      const p = startPeer(cmd, args)
      if (options.quietPeerStdin) p.child.stdin.on('error', () => undefined)
      peers.push(p)
      return p
    }
  }
}
