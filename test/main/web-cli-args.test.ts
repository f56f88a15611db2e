import { describe, expect, it } from 'vitest'
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT, isLoopbackHost, parseCliArgs, USAGE } from '../../src/main/launch/cli-args'

function ok(argv: string[], strict = true): ReturnType<typeof parseCliArgs> & { ok: true } {
  const r = parseCliArgs(argv, { strict })
  if (!r.ok) throw new Error(r.error)
  return r
}

describe('parseCliArgs', () => {
  it('has documented defaults', () => {
    expect(ok(['web']).value).toEqual({ command: 'web', listen: [], proxies: [], toxiproxyApi: null, uiHost: DEFAULT_UI_HOST, uiPort: DEFAULT_UI_PORT, help: false })
    expect(DEFAULT_UI_PORT).toBe(7357)
    expect(USAGE).toContain('7357')
  })

  it('repeats --listen in order, both spellings', () => {
    const r = ok(['web', '--listen', '9000', '--listen=chat@0.0.0.0:9001', '--listen', 'http@[::1]:8080'])
    expect(r.value.listen).toEqual([
      { host: '127.0.0.1', port: 9000, behaviour: 'echo' },
      { host: '0.0.0.0', port: 9001, behaviour: 'chat' },
      { host: '::1', port: 8080, behaviour: 'http' }
    ])
  })

  it('reads --ui-host and --ui-port', () => {
    const r = ok(['web', '--ui-host', '[::1]', '--ui-port=0'])
    expect(r.value.uiHost).toBe('::1')
    expect(r.value.uiPort).toBe(0)
  })

  it('reads --help and -h', () => {
    expect(ok(['--help']).value.help).toBe(true)
    expect(ok(['web', '-h']).value.help).toBe(true)
  })

  it('refuses bad values with a sentence', () => {
    const bad = (argv: string[]): string => {
      const r = parseCliArgs(argv)
      if (r.ok) throw new Error('expected an error')
      return r.error
    }
    expect(bad(['web', '--ui-port', '70000'])).toMatch(/--ui-port must be a whole number from 0 to 65535, not "70000"/)
    expect(bad(['web', '--ui-port'])).toMatch(/--ui-port needs a value/)
    expect(bad(['web', '--listen', '--ui-port', '1'])).toMatch(/--listen needs a value/)
    expect(bad(['web', '--listen', 'nope@1'])).toMatch(/unknown behaviour "nope"/)
    expect(bad(['web', '--frobnicate'])).toMatch(/Unknown argument "--frobnicate"/)
    expect(bad(['web', '--ui-host', 'a b'])).toMatch(/not a host name/)
  })

  it('ignores foreign switches for the desktop app but still checks --listen', () => {
    const r = ok(['.', '--no-sandbox', '--inspect=9229', '--listen', '9000'], false)
    expect(r.value.listen).toEqual([{ host: '127.0.0.1', port: 9000, behaviour: 'echo' }])
    expect(r.value.command).toBeNull()
    expect(parseCliArgs(['--listen', '70000'], { strict: false }).ok).toBe(false)
  })

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true)
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) expect(isLoopbackHost(h)).toBe(false)
  })
})
