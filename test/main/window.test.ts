import { describe, expect, it, vi } from 'vitest'

// The Electron binary is not available in tests; the module is replaced by a recorder.
const created: Array<{ webPreferences: Record<string, unknown> }> = []
vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {}
    constructor(options: { webPreferences: Record<string, unknown> }) {
      created.push(options)
    }
    once(): void {}
    loadFile(): Promise<void> {
      return Promise.resolve()
    }
    loadURL(): Promise<void> {
      return Promise.resolve()
    }
  }
  return { BrowserWindow, default: { BrowserWindow } }
})

describe('main window', () => {
  it('is created with context isolation, the sandbox, and no Node integration', async () => {
    const { createMainWindow } = await import('../../src/main/window')
    createMainWindow(undefined)
    const prefs = created[0].webPreferences
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.webviewTag).toBe(false)
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.js$/)
  })

  it('denies permissions, new windows, navigation and webviews', async () => {
    const { setupSecurity } = await import('../../src/main/security')
    let permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined
    let checkHandler: (() => boolean) | undefined
    let contentsHook: ((e: unknown, c: unknown) => void) | undefined
    const session = {
      setPermissionRequestHandler: (h: typeof permissionHandler) => (permissionHandler = h),
      setPermissionCheckHandler: (h: typeof checkHandler) => (checkHandler = h)
    }
    const app = { on: (_: string, h: typeof contentsHook) => (contentsHook = h) }
    setupSecurity(app as never, session as never)
    let granted: boolean | undefined
    permissionHandler?.({}, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(checkHandler?.()).toBe(false)
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>()
    let openHandler: (() => { action: string }) | undefined
    contentsHook?.(
      {},
      {
        setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
        on: (name: string, h: (e: { preventDefault(): void }) => void) => listeners.set(name, h)
      }
    )
    expect(openHandler?.()).toEqual({ action: 'deny' })
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const prevent = vi.fn()
      listeners.get(name)?.({ preventDefault: prevent })
      expect(prevent).toHaveBeenCalled()
    }
  })

  it("allows writing to the clipboard for the app's own page only, and nothing else", async () => {
    const { setupSecurity } = await import('../../src/main/security')
    type Handler = (wc: unknown, p: string, cb: (ok: boolean) => void, details?: unknown) => void
    type Check = (wc: unknown, p: string, origin: string, details?: unknown) => boolean
    let request: Handler | undefined
    let check: Check | undefined
    const session = {
      setPermissionRequestHandler: (h: Handler) => (request = h),
      setPermissionCheckHandler: (h: Check) => (check = h)
    }
    setupSecurity({ on: () => undefined } as never, session as never, (url) => url === 'file:///app/index.html')
    const own = { getURL: () => 'file:///app/index.html' }
    const foreign = { getURL: () => 'https://example.invalid/' }
    const ask = (wc: unknown, p: string): boolean => {
      let granted: boolean | undefined
      request?.(wc, p, (ok) => (granted = ok), {})
      return granted === true
    }
    expect(ask(own, 'clipboard-sanitized-write')).toBe(true)
    expect(check?.(own, 'clipboard-sanitized-write', 'file://', {})).toBe(true)
    expect(ask(foreign, 'clipboard-sanitized-write')).toBe(false)
    expect(check?.(foreign, 'clipboard-sanitized-write', 'https://example.invalid', {})).toBe(false)
    for (const p of ['clipboard-read', 'media', 'notifications', 'geolocation']) {
      expect(ask(own, p)).toBe(false)
      expect(check?.(own, p, 'file://', {})).toBe(false)
    }
  })
})
