import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

// The desktop entry (src/main/index.ts) over a recorded Electron: its workspace lives in the user-data folder.
const state = vi.hoisted(() => ({
  userData: '',
  handlers: new Map<string, (event: { preventDefault(): void }) => void>(),
  quit: 0,
  exitCode: null as number | null
}))
vi.mock('electron', () => {
  const app = {
    isPackaged: true,
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => (name === 'userData' ? state.userData : tmpdir()),
    on: (name: string, h: (event: { preventDefault(): void }) => void) => state.handlers.set(name, h),
    exit: (code: number) => (state.exitCode = code),
    quit: () => state.quit++
  }
  const ipcMain = { handle: () => undefined, removeHandler: () => undefined }
  const session = {
    defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined }
  }
  class BrowserWindow {
    static getAllWindows = (): unknown[] => []
    webContents = { id: 1, send: () => undefined, isDestroyed: () => false, once: () => undefined }
    once(): void {}
    loadFile(): Promise<void> {
      return Promise.resolve()
    }
    loadURL(): Promise<void> {
      return Promise.resolve()
    }
  }
  const electron = { app, ipcMain, session, BrowserWindow }
  return { ...electron, default: electron }
})

const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-desktop-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

describe('the desktop app keeps its workspace in its user-data folder', () => {
  it('restores workspace.json from user data at start (servers and the Toxiproxy API switch), beside --listen servers, and closes everything on quit', async () => {
    state.userData = join(dir, 'user-data')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(state.userData)
    const file = join(state.userData, 'workspace.json')
    const [saved, cli, api] = [await freePort(), await freePort(), await freePort()]
    // The Toxiproxy API switch is a UI preference of the workspace: restored at start too.
    const text = JSON.stringify({
      version: 1,
      servers: [{ listen: `127.0.0.1:${saved}`, behaviour: 'uppercase' }],
      ui: { 'toxiproxyApi.enabled': true, 'toxiproxyApi.listen': `127.0.0.1:${api}` }
    })
    await writeFile(file, text)
    const argv = process.argv
    process.argv = [process.execPath, '--no-sandbox', '--listen', `127.0.0.1:${cli}`]
    // As the relaunched packaged app runs (launch/heap-options.ts): with its heap flags, no second relaunch.
    const { HEAP_CHILD_ENV } = await import('../../src/main/launch/heap-options')
    process.env[HEAP_CHILD_ENV] = '1'
    try {
      await import('../../src/main/index')
      await waitFor(() => listening(saved), { what: 'the restored server', timeoutMs: 10_000 })
      const upper = await run('nc', ['-N', '127.0.0.1', String(saved)], { input: 'up\n' })
      expect(upper.stdout.toString()).toBe('UP\n')
      const echoed = await run('nc', ['-N', '127.0.0.1', String(cli)], { input: 'cli\n' })
      expect(echoed.stdout.toString()).toBe('cli\n')
      await waitFor(() => listening(api), { what: 'the restored Toxiproxy API', timeoutMs: 10_000 })
      const version = await run('curl', ['-s', `http://127.0.0.1:${api}/version`])
      expect(JSON.parse(version.stdout.toString())).toHaveProperty('version')
    } finally {
      process.argv = argv
      delete process.env[HEAP_CHILD_ENV]
    }
    expect(state.exitCode).toBeNull()
    state.handlers.get('before-quit')?.({ preventDefault: () => undefined })
    await waitFor(() => state.quit > 0, { what: 'the app to quit after the lab closed' })
    // Restoring alone writes nothing; the --listen server never enters the file.
    expect(await readFile(file, 'utf8')).toBe(text)
    expect(await listening(saved)).toBe(false)
    expect(await listening(api)).toBe(false)
  })
})
