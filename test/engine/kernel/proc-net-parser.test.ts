import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KERNEL_TCP_STATES } from '@shared/kernel-model'
import { parseProcNetTcp, parseProcNetTcpLine } from '../../../src/main/engine/kernel/proc-net-parser'

const fixtures = join(__dirname, 'fixtures')
const tcp = readFileSync(join(fixtures, 'proc-net-tcp.sample'), 'utf8')
const tcp6 = readFileSync(join(fixtures, 'proc-net-tcp6.sample'), 'utf8')
const meta = JSON.parse(readFileSync(join(fixtures, 'meta.json'), 'utf8')) as { ports: Record<string, number> }
const P = meta.ports

describe('parseProcNetTcp on samples captured from this machine', () => {
  const v4 = parseProcNetTcp(tcp, 'IPv4')
  const v6 = parseProcNetTcp(tcp6, 'IPv6')

  it('parses every data line and skips the header', () => {
    expect(v4).toHaveLength(tcp.trim().split('\n').length - 1)
    expect(v6).toHaveLength(tcp6.trim().split('\n').length - 1)
  })

  it('shows the listener and N+1 sockets for 2 clients, plus 2 peer-side sockets', () => {
    const onPort = v4.filter((s) => s.localPort === P.established!)
    expect(onPort.filter((s) => s.state === 'LISTEN')).toHaveLength(1)
    expect(onPort.filter((s) => s.state === 'ESTABLISHED')).toHaveLength(2)
    const peers = v4.filter((s) => s.remotePort === P.established! && s.state === 'ESTABLISHED')
    expect(peers).toHaveLength(2)
    const listener = onPort.find((s) => s.state === 'LISTEN')!
    expect(listener).toMatchObject({
      localAddress: '127.0.0.1',
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      recvQ: 0,
      sendQ: 0
    })
    expect(listener.inode).toBeGreaterThan(0)
  })

  it('shows CLOSE-WAIT on the side that got the FIN and FIN-WAIT-2 on the side that sent it', () => {
    expect(v4.find((s) => s.localPort === P.closeWait! && s.state === 'CLOSE-WAIT')).toBeDefined()
    expect(v4.find((s) => s.remotePort === P.closeWait! && s.state === 'FIN-WAIT-2')).toBeDefined()
  })

  it('shows TIME-WAIT on the server, which closed first, with inode 0', () => {
    const tw = v4.find((s) => s.state === 'TIME-WAIT')!
    expect(tw.localPort).toBe(P.timeWait)
    expect(tw.inode).toBe(0)
  })

  it('shows queued bytes in recvQ for a paused reader and unacknowledged bytes in sendQ for its writer', () => {
    const reader = v4.find((s) => s.localPort === P.recvQ! && s.state === 'ESTABLISHED')!
    const writer = v4.find((s) => s.remotePort === P.recvQ! && s.state === 'ESTABLISHED')!
    expect(reader.recvQ).toBeGreaterThan(0)
    expect(writer.sendQ).toBeGreaterThan(0)
  })

  it('renders IPv6 loopback, wildcard and IPv4-mapped addresses in compressed form', () => {
    expect(v6.find((s) => s.localPort === P.ipv6Loopback! && s.state === 'LISTEN')?.localAddress).toBe('::1')
    expect(v6.find((s) => s.localPort === P.dualStack! && s.state === 'LISTEN')).toMatchObject({
      localAddress: '::',
      remoteAddress: '::'
    })
    const mapped = v6.find((s) => s.localPort === P.dualStack! && s.state === 'ESTABLISHED')!
    expect(mapped.localAddress).toBe('::ffff:127.0.0.1')
    expect(mapped.remoteAddress).toBe('::ffff:127.0.0.1')
    expect(v6.every((s) => s.family === 'IPv6')).toBe(true)
  })
})

const v4Line = (st: string): string =>
  `   7: 0100007F:1F90 0200007F:D431 ${st} 0000000A:00000014 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 0 10 -1`
const v6Line = (st: string): string =>
  `   3: 00000000000000000000000001000000:1F90 B80D0120000000000000000001000000:D431 ${st} 00000000:00000005 00:00000000 00000000   501        0 77 1 0000000000000000 20 4 0 10 -1`

describe('parseProcNetTcpLine, hand-written', () => {
  it.each(KERNEL_TCP_STATES.map((name, i) => [(i + 1).toString(16).toUpperCase().padStart(2, '0'), name]))(
    'state %s is %s, IPv4 and IPv6',
    (code, name) => {
      expect(parseProcNetTcpLine(v4Line(code), 'IPv4')).toEqual({
        family: 'IPv4',
        state: name,
        localAddress: '127.0.0.1',
        localPort: 8080,
        remoteAddress: '127.0.0.2',
        remotePort: 54321,
        recvQ: 20,
        sendQ: 10,
        inode: 4242,
        uid: 1000
      })
      expect(parseProcNetTcpLine(v6Line(code), 'IPv6')).toEqual({
        family: 'IPv6',
        state: name,
        localAddress: '::1',
        localPort: 8080,
        remoteAddress: '2001:db8::1',
        remotePort: 54321,
        recvQ: 5,
        sendQ: 0,
        inode: 77,
        uid: 501
      })
    }
  )

  it('reads a big-endian machine when told to', () => {
    const line = '   0: 7F000001:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1'
    expect(parseProcNetTcpLine(line, 'IPv4', 'BE')?.localAddress).toBe('127.0.0.1')
  })

  it('reads a short TIME-WAIT line', () => {
    const line =
      '  12: 0100007F:A3E9 0100007F:C3DE 06 00000000:00000000 03:0000176C 00000000     0        0 0 3 0000000026c4cb63'
    expect(parseProcNetTcpLine(line, 'IPv4')).toMatchObject({ state: 'TIME-WAIT', inode: 0, localPort: 41961 })
  })

  it('skips malformed lines without throwing', () => {
    const bad = [
      '',
      '   sl  local_address rem_address   st tx_queue rx_queue',
      'garbage',
      '   0: 0100007F:1F90 0200007F:D431 0D 00000000:00000000 00:00000000 00000000 0 0 1',
      '   0: 0100007F:1F90 0200007F:D431 00 00000000:00000000 00:00000000 00000000 0 0 1',
      '   0: 0100007G:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000 0 0 1',
      '   0: 0100007F:1F9 0200007F:D431 01 00000000:00000000 00:00000000 00000000 0 0 1',
      '   0: 0100007F:1F90 0200007F:D431 01 00000000 00:00000000 00000000 0 0 1',
      '   0: 0100007F:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000 x 0 1',
      '   0: 0100007F:1F90 0200007F:D431 01',
      v6Line('01')
    ]
    expect(() => parseProcNetTcp(bad.join('\n'), 'IPv4')).not.toThrow()
    expect(parseProcNetTcp(bad.join('\n'), 'IPv4')).toEqual([])
    expect(parseProcNetTcp(v4Line('01'), 'IPv6')).toEqual([])
  })
})
