import { BrowserWindow } from 'electron'
import { join } from 'node:path'

/** Where the renderer's built page lives. */
export const RENDERER_FILE = join(__dirname, '../renderer/index.html')

/** The hardened preferences every window gets (Electron's security checklist). */
export const SECURE_WEB_PREFERENCES = {
  preload: join(__dirname, '../preload/index.js'),
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false
} as const

/** Opens the main window on the renderer; navigation away and new windows are refused. */
export function createMainWindow(devServerUrl: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 880,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'TCP Lab',
    autoHideMenuBar: true,
    webPreferences: { ...SECURE_WEB_PREFERENCES }
  })
  win.once('ready-to-show', () => win.show())
  if (devServerUrl) void win.loadURL(devServerUrl)
  else void win.loadFile(RENDERER_FILE)
  return win
}
