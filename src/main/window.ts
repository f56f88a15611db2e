import { BrowserWindow } from 'electron'
import { join } from 'node:path'

/** Where the renderer's built page lives. */
export const RENDERER_FILE = join(__dirname, '../renderer/index.html')

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
    // Electron's security checklist, written out literally so static checkers can verify it.
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win.show())
  if (devServerUrl) void win.loadURL(devServerUrl)
  else void win.loadFile(RENDERER_FILE)
  return win
}
