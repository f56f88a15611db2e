import { describe, expect, it } from 'vitest'
import { commands } from '@shared/contract'
import { parseListenSpec } from '@shared/listen-spec'

function ok(spec: string): unknown {
  const r = parseListenSpec(spec)
  if (!r.ok) throw new Error(r.error)
  expect(commands['server:start'].request.safeParse(r.value).success).toBe(true)
  return r.value
}

function err(spec: string): string {
  const r = parseListenSpec(spec)
  if (r.ok) throw new Error(`expected ${spec} to be refused, got ${JSON.stringify(r.value)}`)
  return r.error
}

describe('parseListenSpec: udp: and tls:', () => {
  it('takes BEHAVIOUR@udp:HOST:PORT, [IPV6] and a bare port', () => {
    expect(ok('echo@udp:127.0.0.1:9000')).toEqual({ host: '127.0.0.1', port: 9000, behaviour: 'echo', protocol: 'udp' })
    expect(ok('daytime@udp:[::1]:13')).toEqual({ host: '::1', port: 13, behaviour: 'daytime', protocol: 'udp' })
    expect(ok('udp:9000')).toEqual({ host: '127.0.0.1', port: 9000, behaviour: 'echo', protocol: 'udp' })
    expect(ok('UDP:0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0, behaviour: 'echo', protocol: 'udp' })
  })

  it('takes BEHAVIOUR@tls:HOST:PORT, and tcp: as the default said aloud', () => {
    expect(ok('http@tls:127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443, behaviour: 'http', protocol: 'tls' })
    expect(ok('chat@tls:[::1]:0')).toEqual({ host: '::1', port: 0, behaviour: 'chat', protocol: 'tls' })
    expect(ok('tcp:9000')).toEqual({ host: '127.0.0.1', port: 9000, behaviour: 'echo' })
  })

  it('refuses unix paths and missing or bad addresses after the protocol, in words', () => {
    expect(err('echo@udp:unix:/tmp/x')).toMatch(/^--listen "echo@udp:unix:\/tmp\/x": udp: needs an IP address and port/)
    expect(err('udp:')).toMatch(/an address is missing after "udp:"/)
    expect(err('tls:70000')).toMatch(/^--listen "tls:70000": port must be a whole number from 0 to 65535/)
    expect(err('tls:::1:80')).toMatch(/IPv6 address in brackets/)
  })
})
