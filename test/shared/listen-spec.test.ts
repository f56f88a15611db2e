import { describe, expect, it } from 'vitest'
import { commands } from '@shared/contract'
import { parseListenSpec } from '@shared/listen-spec'
import { BEHAVIOURS } from '@shared/model'

function ok(spec: string): unknown {
  const r = parseListenSpec(spec)
  if (!r.ok) throw new Error(r.error)
  // Whatever the parser returns must be a valid server:start request.
  expect(commands['server:start'].request.safeParse(r.value).success).toBe(true)
  return r.value
}

function err(spec: string): string {
  const r = parseListenSpec(spec)
  if (r.ok) throw new Error(`expected ${spec} to be refused, got ${JSON.stringify(r.value)}`)
  return r.error
}

describe('parseListenSpec', () => {
  it('takes a bare port on 127.0.0.1 with echo', () => {
    expect(ok('9000')).toEqual({ host: '127.0.0.1', port: 9000, behaviour: 'echo' })
    expect(ok('0')).toEqual({ host: '127.0.0.1', port: 0, behaviour: 'echo' })
    expect(ok(' 65535 ')).toEqual({ host: '127.0.0.1', port: 65535, behaviour: 'echo' })
  })

  it('takes HOST:PORT, names included', () => {
    expect(ok('0.0.0.0:9001')).toEqual({ host: '0.0.0.0', port: 9001, behaviour: 'echo' })
    expect(ok('localhost:8080')).toEqual({ host: 'localhost', port: 8080, behaviour: 'echo' })
  })

  it('takes [IPV6]:PORT', () => {
    expect(ok('[::1]:8080')).toEqual({ host: '::1', port: 8080, behaviour: 'echo' })
    expect(ok('[::]:0')).toEqual({ host: '::', port: 0, behaviour: 'echo' })
    expect(ok('http@[::1]:8080')).toEqual({ host: '::1', port: 8080, behaviour: 'http' })
  })

  it('takes unix:PATH, an @ in the path included', () => {
    expect(ok('unix:/tmp/lab.sock')).toEqual({ host: 'unix:/tmp/lab.sock', behaviour: 'echo' })
    expect(ok('chat@unix:/tmp/a@b.sock')).toEqual({ host: 'unix:/tmp/a@b.sock', behaviour: 'chat' })
    expect(ok('unix:/tmp/a@b.sock')).toEqual({ host: 'unix:/tmp/a@b.sock', behaviour: 'echo' })
  })

  it('takes every behaviour name as a prefix', () => {
    for (const b of BEHAVIOURS) expect(ok(`${b}@9000`)).toEqual({ host: '127.0.0.1', port: 9000, behaviour: b })
    expect(ok('chat@0.0.0.0:9001')).toEqual({ host: '0.0.0.0', port: 9001, behaviour: 'chat' })
  })

  it('refuses bad ports with the number in the sentence', () => {
    expect(err('70000')).toMatch(/port must be a whole number from 0 to 65535, not 70000/)
    expect(err('127.0.0.1:abc')).toMatch(/not "abc"/)
    expect(err('127.0.0.1:')).toMatch(/port after ":" is missing/)
    expect(err('127.0.0.1:-1')).toMatch(/whole number/)
    expect(err('123456')).toMatch(/whole number/)
  })

  it('refuses unknown behaviours, listing the known ones', () => {
    const e = err('foo@9000')
    expect(e).toMatch(/unknown behaviour "foo"/)
    expect(e).toContain(BEHAVIOURS.join(', '))
  })

  it('refuses malformed addresses with a hint', () => {
    expect(err('')).toMatch(/expected PORT/)
    expect(err('echo@')).toMatch(/address is missing/)
    expect(err('::1:8080')).toMatch(/IPv6 address in brackets, e\.g\. \[::1\]:8080/)
    expect(err('[::1]8080')).toMatch(/\[ADDRESS\]:PORT/)
    expect(err('[127.0.0.1]:80')).toMatch(/not an IPv6 address/)
    expect(err(':9000')).toMatch(/host before ":" is empty/)
    expect(err('unix:')).toMatch(/needs a socket path/)
    expect(err('localhost')).toMatch(/expected PORT/)
    expect(err('a b:80')).toMatch(/not a host name/)
  })

  it('starts every message with the option and the value', () => {
    expect(err('70000')).toMatch(/^--listen "70000": /)
  })
})
