import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, session } from 'electron'
import { createLabHub } from './engine/lab-hub'
import { makeTrustedUrlCheck, setupIpc } from './ipc-adapter'
import { createMainWindow, RENDERER_FILE } from './window'
import { setupSecurity } from './security'
import { startListenSpecs } from './launch/launch-listeners'
import { startLaunchProxies } from './launch/launch-proxies'
import { startToxiproxyApi } from './api/toxiproxy-api'
import { restoreLaunchApi, startLaunchApi } from './launch/launch-api'
import { parseCliArgs } from './launch/cli-args'
import { desktopWorkspaceFile, openLaunchWorkspace } from './launch/launch-workspace'
import { startLaunchRecording } from './launch/launch-record'
import { relaunchElectronWithHeapFlags } from './launch/heap-options'

// The engine needs V8 heap options at start-up (launch/heap-options.ts): a packaged app without them relaunches once.
relaunchElectronWithHeapFlags(app)

// index.ts only wires: the engine, the IPC adapter, the window, and a clean shutdown.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
// TLS servers' certificate files go under the app's own data folder (a new sub-folder each run).
const hub = createLabHub({ certDir: join(app.getPath('userData'), 'certificates'), serveApi: startToxiproxyApi })
const isTrustedUrl = makeTrustedUrlCheck(RENDERER_FILE, devServerUrl)
const ipc = setupIpc(hub, ipcMain, isTrustedUrl)

function openWindow(): void {
  const win = createMainWindow(devServerUrl)
  ipc.attach(win.webContents)
}

app.whenReady().then(async () => {
  setupSecurity(app, session.defaultSession, isTrustedUrl)
  const argv = process.argv.slice(app.isPackaged ? 1 : 2)
  // Electron's own switches are ignored; startListenSpecs refuses bad lab arguments in words.
  const parsed = parseCliArgs(argv, { strict: false })
  const failure =
    (await startListenSpecs(hub, argv)) ?? (parsed.ok ? await startLaunchRecording(hub, parsed.value.record) : null)
  if (failure) {
    console.error(failure)
    app.exit(2)
    return
  }
  // startListenSpecs already refused bad arguments; Electron's own switches are ignored here too.
  const launched = parsed.ok ? await startLaunchProxies(hub, parsed.value) : { api: null, error: null }
  const apiFailure = parsed.ok ? await startLaunchApi(hub, parsed.value) : null
  if (launched.error || apiFailure) {
    console.error(`tcp-lab: ${launched.error ?? apiFailure}`)
    app.exit(2)
    return
  }
  // After --listen, so a server asked for on the command line wins a port the workspace also names.
  await openLaunchWorkspace(hub, await desktopWorkspaceFile(argv, app.getPath('userData'))).then(
    () => restoreLaunchApi(hub),
    (err: unknown) => {
      console.error(`tcp-lab: workspace: ${err instanceof Error ? err.message : String(err)}`)
    }
  )
  openWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let quitting = false
app.on('before-quit', (event) => {
  if (quitting) return
  // Every listener and connection is closed before the process goes, so no port stays bound.
  event.preventDefault()
  quitting = true
  ipc.dispose()
  void Promise.allSettled([hub.dispose()]).finally(() => app.quit())
})
