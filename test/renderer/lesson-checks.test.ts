import { describe, expect, it } from 'vitest'
import type { KernelSocket, KernelView } from '@shared/kernel-model'
import { checkAcceptQueue, checkSelfConnection, checkTimeWait } from '@renderer/features/lesson/experiments-deeper'
import { buildExperiments } from '@renderer/features/lesson/experiments'
import { makeConnectionInfo, makeKernelSocket, makeServerInfo } from '../helpers/model-fixtures'

const view = (sockets: KernelSocket[]): KernelView => ({ at: 0, source: 'proc', sockets })

describe("the experiments judge what happened from the lab's and the kernel's view", () => {
  it('accept queue: none yet, then some waiting, then full with clients in SYN-SENT', () => {
    const s = makeServerInfo({ acceptMode: 'never', backlog: 2, bound: { address: '127.0.0.1', port: 9000 } })
    expect(checkAcceptQueue({ servers: [], connections: [], kernel: null })?.happened).toBe(false)
    const empty = checkAcceptQueue({
      servers: [s],
      connections: [],
      kernel: view([makeKernelSocket({ state: 'LISTEN', localPort: 9000 })])
    })
    expect(empty).toMatchObject({ happened: false })
    const full = checkAcceptQueue({
      servers: [s],
      connections: [],
      kernel: view([
        makeKernelSocket({ state: 'LISTEN', localPort: 9000, recvQ: 3 }),
        makeKernelSocket({ state: 'SYN-SENT', localPort: 50000, remotePort: 9000 })
      ])
    })
    expect(full?.happened).toBe(true)
    expect(full?.text).toMatch(
      /^3 connections completed the handshake.*queue is full.*1 more client is still in SYN-SENT/
    )
  })

  it('self-connection: a lab client whose two ends are equal', () => {
    const self = makeConnectionInfo(7, {
      serverId: null,
      origin: 'outgoing',
      local: { address: '127.0.0.1', port: 40002 },
      remote: { address: '127.0.0.1', port: 40002 }
    })
    expect(checkSelfConnection({ servers: [], connections: [makeConnectionInfo(1)], kernel: null })?.happened).toBe(
      false
    )
    expect(checkSelfConnection({ servers: [], connections: [self], kernel: null })?.text).toMatch(
      /Connection 7 is connected to itself: 127\.0\.0\.1:40002/
    )
  })

  it("TIME-WAIT: counts the lab's side and the peers' side separately", () => {
    const s = makeServerInfo({ bound: { address: '127.0.0.1', port: 9000 } })
    const r = checkTimeWait({
      servers: [s],
      connections: [],
      kernel: view([
        makeKernelSocket({ state: 'TIME-WAIT', localPort: 9000, remotePort: 50001 }),
        makeKernelSocket({ state: 'TIME-WAIT', localPort: 50002, remotePort: 9000 }),
        makeKernelSocket({ state: 'TIME-WAIT', localPort: 50003, remotePort: 9000 })
      ])
    })
    expect(r).toEqual({
      happened: true,
      text: "TIME-WAIT: 1 on the lab's side (the lab closed first), 2 on the peers' side (the peer closed first)."
    })
  })

  it('every deeper experiment says what to expect; the bash HTTP one carries the real port', () => {
    const http = makeServerInfo({ behaviour: 'http', bound: { address: '127.0.0.1', port: 8088 } })
    const all = buildExperiments([http])
    for (const id of [
      'accept-queue',
      'self-connection',
      'server-patterns',
      'time-wait',
      'bash-http',
      'ports-addresses'
    ]) {
      const e = all.find((x) => x.id === id)
      expect(e?.expect, id).toBeTruthy()
    }
    const bash = all.find((x) => x.id === 'bash-http')!
    expect(bash.steps[0].command).toContain('/dev/tcp/127.0.0.1/8088')
  })
})
