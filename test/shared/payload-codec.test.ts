import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Payload } from '@shared/contract'
import { base64ToBytes, bytesToBase64, encodePayload } from '@shared/payload-codec'

function enc(format: Payload['format'], text: string, lineEnding: Payload['lineEnding'] = 'none'): number[] {
  const r = encodePayload({ format, text, lineEnding })
  if (!r.ok) throw new Error(`expected ok, got: ${r.error.message}`)
  return Array.from(r.bytes)
}

function err(format: Payload['format'], text: string): { message: string; position: number; code: string } {
  const r = encodePayload({ format, text, lineEnding: 'none' })
  if (r.ok) throw new Error(`expected an error, got bytes ${Array.from(r.bytes)}`)
  return r.error
}

const hello = [0x48, 0x65, 0x6c, 0x6c, 0x6f]

describe('text payloads', () => {
  it('encodes UTF-8', () => {
    expect(enc('text', 'Hello')).toEqual(hello)
    expect(enc('text', 'é€😀')).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])
    expect(enc('text', '')).toEqual([])
  })

  it('keeps backslashes literal', () => {
    expect(enc('text', '\\n')).toEqual([0x5c, 0x6e])
  })

  it('appends the line ending', () => {
    expect(enc('text', 'hi', 'lf')).toEqual([0x68, 0x69, 0x0a])
    expect(enc('text', 'hi', 'crlf')).toEqual([0x68, 0x69, 0x0d, 0x0a])
    expect(enc('text', '', 'crlf')).toEqual([0x0d, 0x0a])
  })

  it('returns a Uint8Array of exactly the right length', () => {
    const r = encodePayload({ format: 'text', text: 'abc', lineEnding: 'lf' })
    expect(r.ok && r.bytes instanceof Uint8Array && r.bytes.length).toBe(4)
  })
})

describe('hex payloads', () => {
  it.each([
    ['48 65 6c 6c 6f'],
    ['48656c6c6f'],
    ['48656C6C6F'],
    ['48\n65\t6c  6c\r\n6f\n'],
    ['  4865 6c6c6f  '],
    ['0x48 0x65 0x6c 0x6c 0x6f'],
    ['0X48,0x65,0x6C,0x6c,0x6f'],
    ['0x48656c6c6f'],
    ['48:65:6c:6c:6f'],
    ['48-65-6c-6c-6f']
  ])('reads %j as Hello', (text) => {
    expect(enc('hex', text)).toEqual(hello)
  })

  it('reads every byte value', () => {
    const all = Array.from({ length: 256 }, (_, b) => b)
    expect(enc('hex', all.map((b) => b.toString(16).padStart(2, '0')).join(' '))).toEqual(all)
  })

  it('reads empty or whitespace-only as zero bytes and still appends the line ending', () => {
    expect(enc('hex', '')).toEqual([])
    expect(enc('hex', ' \n\t ')).toEqual([])
    expect(enc('hex', '', 'lf')).toEqual([0x0a])
    expect(enc('hex', '00', 'crlf')).toEqual([0x00, 0x0d, 0x0a])
  })

  it('refuses a non-hex character with its position', () => {
    expect(err('hex', '48 6g')).toEqual({
      code: 'bad-payload',
      message: 'Not a hex digit "g" at position 4',
      position: 4
    })
    expect(err('hex', 'zz')).toMatchObject({ message: 'Not a hex digit "z" at position 0', position: 0 })
    expect(err('hex', '48;65')).toMatchObject({ position: 2 })
    expect(err('hex', '48 é')).toMatchObject({ message: 'Not a hex digit "é" at position 3', position: 3 })
  })

  it('names invisible offending characters by code point', () => {
    expect(err('hex', '48\u00a065')).toMatchObject({ message: 'Not a hex digit U+00A0 at position 2', position: 2 })
    expect(err('hex', '48\u000065')).toMatchObject({ message: 'Not a hex digit U+0000 at position 2', position: 2 })
  })

  it('refuses an odd digit count at the end, pointing at the lone digit', () => {
    expect(err('hex', '48 65 6c 6c 6')).toEqual({
      code: 'bad-payload',
      message: 'Odd number of hex digits: the last byte "6" at position 12 is incomplete',
      position: 12
    })
    expect(err('hex', '48656c6c6')).toMatchObject({ position: 8 })
    expect(err('hex', 'a')).toMatchObject({ position: 0 })
    expect(err('hex', '486 \n')).toMatchObject({ position: 2, message: expect.stringContaining('last byte "6"') })
  })

  it('refuses a byte split by a separator', () => {
    expect(err('hex', '4 8 65')).toMatchObject({
      message: 'Incomplete byte "4" at position 0: each byte needs two hex digits (write 04)',
      position: 0
    })
    expect(err('hex', '48 656 6c')).toMatchObject({ position: 5 })
  })

  it('refuses 0x prefixes in the wrong place or with nothing after them', () => {
    expect(err('hex', '0x')).toMatchObject({ position: 0, message: '"0x" at position 0 is not followed by hex digits' })
    expect(err('hex', '48 0x 65')).toMatchObject({ position: 3 })
    expect(err('hex', '480x65')).toMatchObject({ message: 'Not a hex digit "x" at position 3', position: 3 })
  })
})

describe('escape payloads', () => {
  it.each([
    ['\\r', 0x0d],
    ['\\n', 0x0a],
    ['\\t', 0x09],
    ['\\0', 0x00],
    ['\\\\', 0x5c],
    ['\\"', 0x22],
    ["\\'", 0x27],
    ['\\a', 0x07],
    ['\\b', 0x08],
    ['\\f', 0x0c],
    ['\\v', 0x0b],
    ['\\e', 0x1b]
  ])('%s is byte %d', (text, byte) => {
    expect(enc('escapes', text)).toEqual([byte])
    expect(enc('escapes', `<${text}>`)).toEqual([0x3c, byte, 0x3e])
  })

  it('\\xHH is one raw byte, not a code point', () => {
    expect(enc('escapes', '\\x00\\x7f\\x80\\xff\\xAb')).toEqual([0x00, 0x7f, 0x80, 0xff, 0xab])
    expect(enc('escapes', '\\x414')).toEqual([0x41, 0x34])
  })

  it('\\uHHHH and \\u{H..} are UTF-8', () => {
    expect(enc('escapes', '\\u00e9')).toEqual([0xc3, 0xa9])
    expect(enc('escapes', '\\u20AC')).toEqual([0xe2, 0x82, 0xac])
    expect(enc('escapes', '\\u0041')).toEqual([0x41])
    expect(enc('escapes', '\\u{41}')).toEqual([0x41])
    expect(enc('escapes', '\\u{0}')).toEqual([0x00])
    expect(enc('escapes', '\\u{1F600}')).toEqual([0xf0, 0x9f, 0x98, 0x80])
    expect(enc('escapes', '\\u{10FFFF}')).toEqual([0xf4, 0x8f, 0xbf, 0xbf])
    expect(enc('escapes', '\\uD83D\\uDE00')).toEqual([0xf0, 0x9f, 0x98, 0x80])
  })

  it('leaves other text as UTF-8 and mixes freely with escapes', () => {
    expect(enc('escapes', 'GET / HTTP/1.0\\r\\n\\r\\n')).toEqual([...Buffer.from('GET / HTTP/1.0\r\n\r\n')])
    expect(enc('escapes', 'é\\x00€')).toEqual([0xc3, 0xa9, 0x00, 0xe2, 0x82, 0xac])
    expect(enc('escapes', '')).toEqual([])
    expect(enc('escapes', 'no escapes')).toEqual([...Buffer.from('no escapes')])
  })

  it('appends the line ending after the escapes', () => {
    expect(enc('escapes', 'a\\tb', 'crlf')).toEqual([0x61, 0x09, 0x62, 0x0d, 0x0a])
    expect(enc('escapes', '\\n', 'lf')).toEqual([0x0a, 0x0a])
  })

  it('refuses an unknown escape, pointing at its backslash', () => {
    expect(err('escapes', 'ab\\q')).toEqual({
      code: 'bad-payload',
      message: 'Unknown escape "\\q" at position 2',
      position: 2
    })
    expect(err('escapes', '\\z')).toMatchObject({ position: 0 })
    expect(err('escapes', '\\N')).toMatchObject({ position: 0 })
    expect(err('escapes', 'x\\\n')).toMatchObject({
      message: 'Unknown escape (backslash then U+000A) at position 1',
      position: 1
    })
  })

  it('refuses a trailing backslash', () => {
    expect(err('escapes', 'abc\\')).toMatchObject({
      position: 3,
      message: expect.stringContaining('Trailing "\\" at position 3')
    })
    expect(err('escapes', '\\\\\\')).toMatchObject({ position: 2 })
  })

  it('refuses \\x without exactly two hex digits', () => {
    expect(err('escapes', 'ab\\x4')).toMatchObject({
      position: 2,
      message: expect.stringContaining('"\\x" at position 2')
    })
    expect(err('escapes', '\\x4g')).toMatchObject({ position: 0 })
    expect(err('escapes', '\\x')).toMatchObject({ position: 0 })
    expect(err('escapes', 'ok\\x41 \\xz1')).toMatchObject({ position: 7 })
  })

  it('refuses bad \\u escapes', () => {
    expect(err('escapes', '\\u12')).toMatchObject({ position: 0 })
    expect(err('escapes', 'a\\u12g4')).toMatchObject({ position: 1 })
    expect(err('escapes', '\\u{}')).toMatchObject({ position: 0 })
    expect(err('escapes', '\\u{41')).toMatchObject({ position: 0 })
    expect(err('escapes', '\\u{1234567}')).toMatchObject({ position: 0 })
    expect(err('escapes', '\\u{110000}')).toMatchObject({
      position: 0,
      message: expect.stringContaining('beyond U+10FFFF')
    })
    expect(err('escapes', '\\u{D800}')).toMatchObject({ position: 0, message: expect.stringContaining('surrogate') })
    expect(err('escapes', '12\\uD83D')).toMatchObject({
      position: 2,
      message: expect.stringContaining('high surrogate')
    })
    expect(err('escapes', '\\uDE00')).toMatchObject({ position: 0, message: expect.stringContaining('low surrogate') })
  })

  it('refuses octal-looking \\0 followed by a digit', () => {
    expect(err('escapes', 'a\\012')).toMatchObject({ position: 1, message: expect.stringContaining('Octal') })
    expect(enc('escapes', '\\0a')).toEqual([0x00, 0x61])
    expect(enc('escapes', '\\x001')).toEqual([0x00, 0x31])
  })

  it('reports the first error only', () => {
    expect(err('escapes', 'a\\qb\\x')).toMatchObject({ position: 1 })
  })
})

describe('large payloads', () => {
  it('encodes a 4 MiB escapes payload quickly', () => {
    const text = 'ab\\x00\\n'.repeat(512 * 1024)
    const t0 = performance.now()
    const bytes = enc('escapes', text)
    expect(bytes.length).toBe(4 * 512 * 1024)
    expect(bytes.slice(0, 4)).toEqual([0x61, 0x62, 0x00, 0x0a])
    expect(performance.now() - t0).toBeLessThan(5000)
  })

  it('encodes a 1 MiB hex payload', () => {
    const text = 'de ad be ef '.repeat(256 * 1024)
    const r = encodePayload({ format: 'hex', text, lineEnding: 'none' })
    expect(r.ok && r.bytes.length).toBe(1024 * 1024)
  })
})

describe('base64', () => {
  it('matches known vectors (RFC 4648)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy']
    ]
    for (const [plain, b64] of vectors) {
      expect(bytesToBase64(new TextEncoder().encode(plain))).toBe(b64)
      expect(new TextDecoder().decode(base64ToBytes(b64))).toBe(plain)
    }
  })

  it('round-trips all 256 byte values and agrees with Buffer', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b)
    const b64 = bytesToBase64(all)
    expect(b64).toBe(Buffer.from(all).toString('base64'))
    expect(Array.from(base64ToBytes(b64))).toEqual(Array.from(all))
  })

  it('round-trips 300 KiB of random data quickly', () => {
    const data = new Uint8Array(300 * 1024)
    // getRandomValues is limited to 64 KiB per call.
    for (let off = 0; off < data.length; off += 65536) crypto.getRandomValues(data.subarray(off, off + 65536))
    const t0 = performance.now()
    const b64 = bytesToBase64(data)
    const back = base64ToBytes(b64)
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(b64).toBe(Buffer.from(data).toString('base64'))
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true)
  })

  it('round-trips arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const b64 = bytesToBase64(bytes)
        expect(b64).toBe(Buffer.from(bytes).toString('base64'))
        expect(Array.from(base64ToBytes(b64))).toEqual(Array.from(bytes))
      })
    )
  })

  it('accepts missing padding, whitespace and the URL-safe alphabet', () => {
    expect(Array.from(base64ToBytes('Zm8'))).toEqual([0x66, 0x6f])
    expect(Array.from(base64ToBytes(' Zm9v\nYmFy '))).toEqual([...Buffer.from('foobar')])
    expect(Array.from(base64ToBytes('-_8='))).toEqual([0xfb, 0xff])
    expect(Array.from(base64ToBytes('+/8='))).toEqual([0xfb, 0xff])
  })

  it('refuses invalid characters and impossible lengths', () => {
    expect(() => base64ToBytes('Zm9v!')).toThrow(RangeError)
    expect(() => base64ToBytes('Zg==Zg==')).toThrow(RangeError)
    expect(() => base64ToBytes('Z')).toThrow(RangeError)
    expect(() => base64ToBytes('Zm9vé')).toThrow(RangeError)
  })
})
