import { describe, expect, it } from 'vitest'
import { parseCliArgs, USAGE } from '../../src/main/launch/cli-args'

describe('--proxy and --toxiproxy-api', () => {
  it('repeats --proxy in order, both spellings, any address form', () => {
    const r = parseCliArgs([
      'web',
      '--proxy',
      'redis=127.0.0.1:26379=127.0.0.1:6379',
      '--proxy=api=[::1]:0=unix:/run/api.sock',
      '--proxy',
      'p=9000=6379'
    ])
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        proxies: [
          { name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379' },
          { name: 'api', listen: '[::1]:0', upstream: 'unix:/run/api.sock' },
          { name: 'p', listen: '9000', upstream: '6379' }
        ]
      })
    })
  })

  it('refuses a bad --proxy with a sentence', () => {
    expect(parseCliArgs(['web', '--proxy', 'redis'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/expected NAME=LISTEN=UPSTREAM/)
    })
    expect(parseCliArgs(['web', '--proxy', 'a b=1=2'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/letters, digits/)
    })
    expect(parseCliArgs(['web', '--proxy', 'r=1=127.0.0.1:0'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/upstream: the port must be from 1/)
    })
    expect(parseCliArgs(['web', '--proxy', 'r=1=2', '--proxy', 'r=3=4'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/used twice/)
    })
  })

  it('reads --toxiproxy-api PORT (loopback) or HOST:PORT; off by default', () => {
    expect(parseCliArgs(['web'])).toMatchObject({ ok: true, value: { toxiproxyApi: null } })
    expect(parseCliArgs(['web', '--toxiproxy-api', '8474'])).toMatchObject({
      ok: true,
      value: { toxiproxyApi: { host: '127.0.0.1', port: 8474 } }
    })
    expect(parseCliArgs(['web', '--toxiproxy-api=[::1]:0'])).toMatchObject({
      ok: true,
      value: { toxiproxyApi: { host: '::1', port: 0 } }
    })
    expect(parseCliArgs(['web', '--toxiproxy-api', 'unix:/x'])).toMatchObject({ ok: false })
    // The desktop app's lenient mode reads them too.
    expect(parseCliArgs(['--no-sandbox', '--proxy', 'r=1=2'], { strict: false })).toMatchObject({
      ok: true,
      value: { proxies: [{ name: 'r' }] }
    })
    expect(USAGE).toContain('--proxy NAME=LISTEN=UPSTREAM')
    expect(USAGE).toContain('--toxiproxy-api [HOST:]PORT')
  })
})
