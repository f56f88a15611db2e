import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { EVENTS_CHANNEL, isCommandChannel } from '../shared/channels'
import type { TcpLabPreloadApi } from './api'

// The renderer gets verbs, never ipcRenderer itself; only the contract's channels can be invoked.
const api: TcpLabPreloadApi = {
  request(name, input) {
    if (!isCommandChannel(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown-command', message: `Unknown command ${String(name)}` }
      })
    }
    return ipcRenderer.invoke(name, input)
  },
  onEvents(listener) {
    const wrapped = (_event: IpcRendererEvent, batch: Parameters<typeof listener>[0]): void => listener(batch)
    ipcRenderer.on(EVENTS_CHANNEL, wrapped)
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld('tcpLab', api)
