import { createElectronTransport } from './electron-transport'
import type { LabTransport } from './transport'
import { createWsTransport } from './ws-transport'

/** The one place that knows the front door: the Electron preload API when present, else the browser WebSocket. */
export function createTransport(): LabTransport {
  return window.tcpLab ? createElectronTransport(window.tcpLab) : createWsTransport()
}
