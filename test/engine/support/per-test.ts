import type net from 'node:net'
import { afterEach } from 'vitest'
import type { LabHub } from '../../../src/main/engine/lab-hub'
import type { TestLab } from '../../helpers/lab'
import type { LivePeer } from '../../helpers/processes'
import type { NodePeer } from './node-peer'

/** Registers an afterEach that destroys the Node peers, kills the peer processes, then disposes the test's lab. */
export function disposeAfterEach(currentLab: () => TestLab | undefined): { peers: NodePeer[]; procs: LivePeer[] } {
  const peers: NodePeer[] = []
  const procs: LivePeer[] = []
  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy()
    for (const p of procs.splice(0)) p.kill()
    await currentLab()?.dispose()
  })
  return { peers, procs }
}

/** Registers an afterEach that destroys the raw sockets, then disposes the last hub passed to `keep`. */
export function hubPerTest(): { sockets: net.Socket[]; keep(hub: LabHub): LabHub } {
  let current: LabHub | undefined
  const sockets: net.Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await current?.dispose()
    current = undefined
  })
  return {
    sockets,
    keep(hub) {
      current = hub
      return hub
    }
  }
}
