import type { IpcMainInvokeEvent } from 'electron'
import { COMMAND_CHANNELS, EVENTS_CHANNEL } from '@shared/channels'
import type { Result } from '@shared/contract'
import type { LabHub, LabSession } from './engine/lab-hub'

/** The part of Electron's ipcMain the adapter uses (injected, so tests need no Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>): void
  removeHandler(channel: string): void
}

/** The part of a window's WebContents the adapter uses. */
export interface WebContentsLike {
  readonly id: number
  send(channel: string, payload: unknown): void
  isDestroyed(): boolean
  once(event: 'destroyed', listener: () => void): unknown
}

/** The IPC bridge between the renderer windows and the lab. */
export interface IpcAdapter {
  /** Gives a window its own event stream; it is closed when the window goes. */
  attach(contents: WebContentsLike): void
  dispose(): void
}

/**
 * Registers one handler per command channel. Every message is checked: the sender must be a window
 * this adapter attached, its frame must be the app's own page, and the payload is validated by the hub.
 */
export function setupIpc(hub: LabHub, ipc: IpcMainLike, isTrustedUrl: (url: string) => boolean): IpcAdapter {
  const sessions = new Map<number, LabSession>()

  const denied = (message: string): Result<never> => ({ ok: false, error: { code: 'forbidden', message } })

  for (const channel of COMMAND_CHANNELS) {
    ipc.handle(channel, async (event, payload) => {
      const session = sessions.get(event.sender.id)
      if (!session) return denied('This window is not attached to the lab')
      const frameUrl = event.senderFrame?.url ?? ''
      if (!isTrustedUrl(frameUrl)) return denied("Commands are only accepted from the app's own page")
      return session.handle(channel, payload)
    })
  }

  return {
    attach(contents) {
      sessions.get(contents.id)?.close()
      const session = hub.connect((batch) => {
        if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, batch)
      })
      sessions.set(contents.id, session)
      contents.once('destroyed', () => {
        session.close()
        sessions.delete(contents.id)
      })
    },
    dispose() {
      for (const channel of COMMAND_CHANNELS) ipc.removeHandler(channel)
      for (const s of sessions.values()) s.close()
      sessions.clear()
    }
  }
}

/** Whether a frame URL is the app's renderer: the built index.html, or the dev server's origin. */
export function makeTrustedUrlCheck(rendererFile: string, devServerUrl?: string): (url: string) => boolean {
  const fileUrl = new URL(`file://${rendererFile.startsWith('/') ? '' : '/'}${rendererFile.replace(/\\/g, '/')}`)
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : undefined
  return (url) => {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return false
    }
    if (u.protocol === 'file:') return decodeURIComponent(u.pathname) === decodeURIComponent(fileUrl.pathname)
    return devOrigin !== undefined && u.origin === devOrigin
  }
}
