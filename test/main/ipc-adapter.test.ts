import { afterEach, describe, expect, it } from 'vitest'
import type { IpcMainInvokeEvent } from 'electron'
import { COMMAND_CHANNELS, EVENTS_CHANNEL } from '@shared/channels'
import type { EventBatch } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { makeTrustedUrlCheck, setupIpc } from '../../src/main/ipc-adapter'
import type { IpcMainLike, WebContentsLike } from '../../src/main/ipc-adapter'
import { waitFor } from '../helpers/wait'

type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>

// A stand-in for Electron's ipcMain: the real one cannot load without the Electron binary.
class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Handler>()
  handle(channel: string, listener: Handler): void {
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  invoke(channel: string, payload: unknown, sender: { id: number }, frameUrl: string): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`no handler for ${channel}`)
    return h({ sender, senderFrame: { url: frameUrl } } as unknown as IpcMainInvokeEvent, payload)
  }
}

function fakeContents(id: number): WebContentsLike & { sent: EventBatch[]; destroy(): void } {
  let onDestroyed: (() => void) | null = null
  let destroyed = false
  const sent: EventBatch[] = []
  return {
    id,
    sent,
    send(channel, payload) {
      if (channel === EVENTS_CHANNEL) sent.push(payload as EventBatch)
    },
    isDestroyed: () => destroyed,
    once(_event, listener) {
      onDestroyed = listener
      return this
    },
    destroy() {
      destroyed = true
      onDestroyed?.()
    }
  }
}

const RENDERER = '/opt/tcp-lab/out/renderer/index.html'
const GOOD_URL = `file://${RENDERER}`
let hub: LabHub
afterEach(async () => hub?.dispose())

describe('IPC adapter', () => {
  it('registers exactly the contract channels and runs commands from an attached, trusted window', async () => {
    hub = createLabHub({ batcher: { intervalMs: 5 } })
    const ipc = new FakeIpcMain()
    const adapter = setupIpc(hub, ipc, makeTrustedUrlCheck(RENDERER))
    expect([...ipc.handlers.keys()].sort()).toEqual([...COMMAND_CHANNELS].sort())
    const win = fakeContents(7)
    adapter.attach(win)
    const r = (await ipc.invoke('server:start', { host: '127.0.0.1', port: 0 }, win, GOOD_URL)) as { ok: boolean }
    expect(r.ok).toBe(true)
    await waitFor(() => win.sent.some((b) => b.events.some((e) => e.type === 'server.listening')), { what: 'a batch' })
    expect(win.sent[0].seq).toBe(1)
    adapter.dispose()
    expect(ipc.handlers.size).toBe(0)
  })

  it('refuses an unknown sender, a foreign frame, and a malformed payload, changing nothing', async () => {
    hub = createLabHub()
    const ipc = new FakeIpcMain()
    const adapter = setupIpc(hub, ipc, makeTrustedUrlCheck(RENDERER))
    const win = fakeContents(1)
    adapter.attach(win)
    const stranger = (await ipc.invoke('server:start', { port: 0 }, { id: 99 }, GOOD_URL)) as {
      ok: boolean
      error: { code: string }
    }
    expect(stranger).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const foreign = (await ipc.invoke('server:start', { port: 0 }, win, 'https://evil.example/')) as {
      ok: boolean
      error: { code: string }
    }
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const otherFile = (await ipc.invoke('server:start', { port: 0 }, win, 'file:///tmp/evil.html')) as { ok: boolean }
    expect(otherFile.ok).toBe(false)
    const bad = (await ipc.invoke('server:start', { port: 'abc' }, win, GOOD_URL)) as {
      ok: boolean
      error: { message: string }
    }
    expect(bad.ok).toBe(false)
    expect(bad.error.message).toContain('Port must be a whole number from 0 to 65535')
    expect(hub.lab.servers.size).toBe(0)
    adapter.dispose()
  })

  it("closes a window's stream when the window is destroyed", async () => {
    hub = createLabHub({ batcher: { intervalMs: 5 } })
    const ipc = new FakeIpcMain()
    const adapter = setupIpc(hub, ipc, makeTrustedUrlCheck(RENDERER))
    const win = fakeContents(3)
    adapter.attach(win)
    win.destroy()
    const r = (await ipc.invoke('lab:snapshot', {}, win, GOOD_URL)) as { ok: boolean }
    expect(r.ok).toBe(false)
    adapter.dispose()
  })

  it('trusts the dev server origin only when one is given', () => {
    const check = makeTrustedUrlCheck(RENDERER, 'http://localhost:5173/')
    expect(check('http://localhost:5173/index.html')).toBe(true)
    expect(check('http://localhost:5174/')).toBe(false)
    expect(makeTrustedUrlCheck(RENDERER)('http://localhost:5173/')).toBe(false)
    expect(check('not a url')).toBe(false)
  })
})
