import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseBsdNetstat, parseWindowsNetstat } from '../../../src/main/engine/kernel/netstat-parser'

const sample = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8')

describe('parseBsdNetstat (macOS netstat -an -p tcp)', () => {
  const s = parseBsdNetstat(sample('netstat-macos.sample'))
  it('reads every TCP line and skips the rest', () => {
    expect(s).toHaveLength(10)
  })
  it('splits the port off after the last dot and maps states', () => {
    expect(s[1]).toMatchObject({
      family: 'IPv4',
      state: 'ESTABLISHED',
      localAddress: '127.0.0.1',
      localPort: 54321,
      remoteAddress: '127.0.0.1',
      remotePort: 8080,
      recvQ: 12,
      sendQ: 0,
      pid: null
    })
    expect(s.map((x) => x.state)).toEqual([
      'ESTABLISHED',
      'ESTABLISHED',
      'LISTEN',
      'LISTEN',
      'LISTEN',
      'LISTEN',
      'TIME-WAIT',
      'FIN-WAIT-2',
      'CLOSE-WAIT',
      'SYN-SENT'
    ])
  })
  it('reads wildcards, tcp46 and IPv6 with a zone', () => {
    expect(s[3]).toMatchObject({
      family: 'IPv6',
      localAddress: '::',
      localPort: 9090,
      remoteAddress: '::',
      remotePort: 0
    })
    expect(s[4]).toMatchObject({ localAddress: '::1', localPort: 7070 })
    expect(s[5]).toMatchObject({ localAddress: 'fe80::1%lo0', localPort: 631 })
    expect(s[2]).toMatchObject({ remoteAddress: '0.0.0.0', remotePort: 0 })
  })
})

describe('parseWindowsNetstat (netstat -ano -p TCP / TCPv6)', () => {
  const s = parseWindowsNetstat(sample('netstat-windows.sample'))
  it('reads TCP lines with their PIDs', () => {
    expect(s).toHaveLength(7)
    expect(s[0]).toMatchObject({ family: 'IPv4', state: 'LISTEN', localAddress: '0.0.0.0', localPort: 135, pid: 1234 })
    expect(s[1]).toMatchObject({
      state: 'ESTABLISHED',
      localPort: 8080,
      remotePort: 54321,
      pid: 5678,
      recvQ: 0,
      sendQ: 0
    })
    expect(s[3]).toMatchObject({ state: 'TIME-WAIT', pid: 0 })
  })
  it('reads bracketed IPv6', () => {
    expect(s[4]).toMatchObject({ family: 'IPv6', state: 'LISTEN', localAddress: '::', localPort: 445, pid: 4 })
    expect(s[5]).toMatchObject({ state: 'CLOSE-WAIT', localAddress: '::1', remoteAddress: '::1', remotePort: 50001 })
    expect(s[6]).toMatchObject({
      state: 'SYN-SENT',
      localAddress: 'fe80::1%4',
      remoteAddress: 'fe80::2%4',
      remotePort: 445
    })
  })
  it('never throws on junk', () => {
    expect(parseWindowsNetstat('TCP x y z\nTCP 1.2.3.4:99999 0.0.0.0:0 LISTENING 1\n\0\0')).toEqual([])
    expect(parseBsdNetstat('tcp4 a b c d e\n')).toEqual([])
  })
})
