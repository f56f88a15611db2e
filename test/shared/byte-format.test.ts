import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  escapedText,
  formatBytes,
  formatDuration,
  formatExactBytes,
  formatRate,
  hexColumnWidth,
  hexDumpLines,
  visibleText
} from '@shared/byte-format'
import { encodePayload } from '@shared/payload-codec'

const u8 = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes)
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('visibleText', () => {
  it('leaves ordinary text alone', () => {
    expect(visibleText(utf8('Hello, wörld € 😀'))).toBe('Hello, wörld € 😀')
    expect(visibleText(u8())).toBe('')
  })

  it('shows NUL, ESC and DEL as control pictures', () => {
    expect(visibleText(u8(0x00))).toBe('␀')
    expect(visibleText(u8(0x1b))).toBe('␛')
    expect(visibleText(u8(0x7f))).toBe('␡')
    expect(visibleText(utf8('\x1b[2J\x1b[31mred'))).toBe('␛[2J␛[31mred')
  })

  it('maps every C0 control to U+2400 + code', () => {
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x0a) continue
      expect(visibleText(u8(c))).toBe(String.fromCharCode(0x2400 + c))
    }
    expect(visibleText(u8(0x0d))).toBe('␍')
    expect(visibleText(u8(0x09))).toBe('␉')
    expect(visibleText(u8(0x07))).toBe('␇')
  })

  it('keeps a real newline after the LF picture', () => {
    expect(visibleText(utf8('a\r\nb\n'))).toBe('a␍␊\nb␊\n')
  })

  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(visibleText(u8(0x61, 0xff, 0x62))).toBe('a\ufffdb')
    expect(visibleText(u8(0xc3))).toBe('\ufffd')
    expect(visibleText(u8(0xc3, 0x28))).toBe('\ufffd(')
    expect(visibleText(u8(0xed, 0xa0, 0x80))).toBe('\ufffd\ufffd\ufffd')
  })

  it('shows C1 controls as \\u{..}', () => {
    expect(visibleText(u8(0xc2, 0x80))).toBe('\\u{80}')
    expect(visibleText(u8(0xc2, 0x9b, 0x32, 0x4a))).toBe('\\u{9B}2J')
    expect(visibleText(u8(0xc2, 0x9f))).toBe('\\u{9F}')
    expect(visibleText(u8(0xc2, 0xa0))).toBe('\u00a0')
  })

  it('shows bidi overrides and isolates as \\u{..}', () => {
    expect(visibleText(utf8('abc\u202Etxt.exe'))).toBe('abc\\u{202E}txt.exe')
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(visibleText(utf8(String.fromCodePoint(cp)))).toBe(`\\u{${cp.toString(16).toUpperCase()}}`)
    }
    // Direction marks draw nothing, so they are shown too (issue 11); an unassigned code point is left alone.
    expect(visibleText(utf8('\u200e\u2065'))).toBe('\\u{200E}\u2065')
  })

  it('shows a byte order mark (an invisible zero-width no-break space) instead of hiding it', () => {
    expect(visibleText(u8(0xef, 0xbb, 0xbf, 0x41))).toBe('\\u{FEFF}A')
  })

  it('never leaves a control character in the output other than the newline', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b)
    const out = visibleText(all)
    // eslint-disable-next-line no-control-regex -- no control character may be left
    expect(out.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
  })
})

describe('escapedText', () => {
  it('keeps printable ASCII and escapes the rest byte by byte', () => {
    expect(escapedText(utf8('Hi there ~!'))).toBe('Hi there ~!')
    expect(escapedText(u8(0x0d, 0x0a, 0x09, 0x00, 0x5c))).toBe('\\r\\n\\t\\x00\\\\')
    expect(escapedText(u8(0x1b, 0x7f, 0x80, 0xff, 0x01))).toBe('\\x1b\\x7f\\x80\\xff\\x01')
    expect(escapedText(utf8('é'))).toBe('\\xc3\\xa9')
    expect(escapedText(u8())).toBe('')
  })

  it('writes NUL as \\x00 everywhere (never \\0, which a digit after it would turn into octal)', () => {
    expect(escapedText(u8(0x00, 0x31))).toBe('\\x001')
    expect(escapedText(u8(0x00, 0x61))).toBe('\\x00a')
  })

  it('parses back to the same bytes as an escapes payload (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const r = encodePayload({ format: 'escapes', text: escapedText(bytes), lineEnding: 'none' })
        expect(r.ok && Array.from(r.bytes)).toEqual(Array.from(bytes))
      })
    )
  })
})

describe('hexDumpLines', () => {
  it('dumps 00 01 68 69', () => {
    expect(hexDumpLines(u8(0x00, 0x01, 0x68, 0x69))).toEqual([
      { offset: '00000000', hex: '00 01 68 69', ascii: '..hi' }
    ])
  })

  it('splits into lines of width bytes with a gap after 8', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => 0x41 + i)
    expect(hexDumpLines(bytes)).toEqual([
      { offset: '00000000', hex: '41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50', ascii: 'ABCDEFGHIJKLMNOP' },
      { offset: '00000010', hex: '51 52 53 54', ascii: 'QRST' }
    ])
    expect(hexDumpLines(bytes)[0].hex.length).toBe(hexColumnWidth(16))
  })

  it('honours startOffset and width', () => {
    const lines = hexDumpLines(utf8('abcdef'), 0x1000, 4)
    expect(lines).toEqual([
      { offset: '00001000', hex: '61 62 63 64', ascii: 'abcd' },
      { offset: '00001004', hex: '65 66', ascii: 'ef' }
    ])
    expect(hexDumpLines(new Uint8Array(1), 0x123456789)[0].offset).toBe('123456789')
  })

  it('shows non-printables as dots, space and tilde as themselves', () => {
    expect(hexDumpLines(u8(0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff))[0].ascii).toBe('. ~...')
  })

  it('returns no lines for no bytes', () => {
    expect(hexDumpLines(u8())).toEqual([])
  })

  it('computes the full hex column width', () => {
    expect(hexColumnWidth(16)).toBe(48)
    expect(hexColumnWidth(8)).toBe(23)
    expect(hexColumnWidth(4)).toBe(11)
    expect(hexColumnWidth(32)).toBe(98)
  })
})

describe('formatExactBytes', () => {
  it.each([
    [0, '0 B'],
    [7, '7 B'],
    [999, '999 B'],
    [1000, '1,000 B'],
    [65536, '65,536 B'],
    [1_073_741_824, '1,073,741,824 B'],
    [-1234, '-1,234 B'],
    [2 ** 53, '9,007,199,254,740,992 B']
  ])('%d → %s', (n, s) => {
    expect(formatExactBytes(n)).toBe(s)
  })
})

describe('formatBytes and formatRate', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [10.5 * 1024 * 1024, '10.5 MiB'],
    [2 ** 30, '1.0 GiB'],
    [1.25 * 2 ** 40, '1.3 TiB'],
    [2 ** 60, '1.0 EiB'],
    [2 ** 70, '1024.0 EiB']
  ])('%d → %s', (n, s) => {
    expect(formatBytes(n)).toBe(s)
  })

  it('formats rates', () => {
    expect(formatRate(0)).toBe('0 B/s')
    expect(formatRate(1.2 * 1024 * 1024)).toBe('1.2 MiB/s')
    expect(formatRate(300.4)).toBe('300 B/s')
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [3000, '3s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [125_000, '2m 05s'],
    [3_600_000, '1h 00m'],
    [3_720_000, '1h 02m'],
    [86_399_000, '23h 59m'],
    [86_400_000 + 4 * 3_600_000, '1d 04h'],
    [-5, '0s'],
    [Number.NaN, '0s']
  ])('%d ms → %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s)
  })
})
