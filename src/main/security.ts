import type { App, Session, WebContents } from 'electron'

// The copy buttons use navigator.clipboard.writeText, which Chromium asks the embedder about.
const CLIPBOARD_WRITE = 'clipboard-sanitized-write'

/** The URL a permission request or check comes from, as far as Electron tells. */
function requestingUrl(wc: WebContents | null | undefined, details: unknown): string {
  const fromDetails = (details as { requestingUrl?: unknown } | undefined)?.requestingUrl
  if (typeof fromDetails === 'string' && fromDetails !== '') return fromDetails
  try {
    return wc?.getURL?.() ?? ''
  } catch {
    return ''
  }
}

/**
 * Denies by default what a lab window never needs: navigation, new windows, webviews, permissions — except
 * writing to the clipboard, for the app's own page only (`isTrustedUrl`), so its copy buttons work.
 */
export function setupSecurity(app: App, session: Session, isTrustedUrl: (url: string) => boolean = () => false): void {
  const allowed = (permission: string, wc: WebContents | null | undefined, details: unknown): boolean =>
    permission === CLIPBOARD_WRITE && isTrustedUrl(requestingUrl(wc, details))
  session.setPermissionRequestHandler((wc, permission, callback, details) => callback(allowed(permission, wc, details)))
  session.setPermissionCheckHandler((wc, permission, _origin, details) => allowed(permission, wc, details))
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.on('will-redirect', (event) => event.preventDefault())
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}
