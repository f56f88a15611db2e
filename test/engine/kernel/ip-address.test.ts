import { describe, expect, it } from 'vitest'
import { formatIPv6, isWildcardAddress, normaliseAddress, parseIPv6 } from '../../../src/main/engine/kernel/ip-address'

const fmt = (text: string): string => formatIPv6(parseIPv6(text)!)

describe('IPv6 text', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:ffff:7f00:1', '::ffff:127.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[::1]', '::1'],
    ['1::', '1::']
  ])('%s → %s', (input, out) => expect(fmt(input)).toBe(out))

  it('refuses nonsense', () => {
    for (const bad of ['1:2:3', '::1::', '12345::', 'abc', '1:2:3:4:5:6:7:8:9', '::ffff:300.0.0.1']) {
      expect(parseIPv6(bad)).toBeUndefined()
    }
  })

  it('normalises for comparison', () => {
    expect(normaliseAddress('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(normaliseAddress('::FFFF:7f00:1')).toBe('127.0.0.1')
    expect(normaliseAddress('0:0::1')).toBe('::1')
    expect(normaliseAddress('127.0.0.1')).toBe('127.0.0.1')
    expect(isWildcardAddress('0.0.0.0')).toBe(true)
    expect(isWildcardAddress('::')).toBe(true)
    expect(isWildcardAddress('::1')).toBe(false)
  })
})
