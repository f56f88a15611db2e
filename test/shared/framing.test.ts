import { describe, expect, it } from 'vitest'
import { createFramer, detectFraming, frameTraffic, framingSchema } from '@shared/framing'
import { bytes, essence, frameSplit, text } from './framing-helpers'

describe('line framing', () => {
  it('splits on LF, strips a trailing CR, keeps exact offsets', () => {
    const r = frameSplit('line', bytes('a\r\nbb\nccc'), [1, 2, 6])
    expect(r.messages.map((m) => [m.start, m.end, text(m.data)])).toEqual([
      [0, 3, 'a'],
      [3, 6, 'bb']
    ])
    expect(r.pending).toEqual({ start: 6, size: 3 })
  })
  it('a CR at the end of one chunk and the LF in the next', () => {
    const r = frameSplit('line', bytes('ab\r\ncd\r\n'), [3, 7])
    expect(r.messages.map((m) => text(m.data))).toEqual(['ab', 'cd'])
  })
  it('crlf framing keeps a lone LF inside the message', () => {
    const r = frameSplit('crlf', bytes('a\nb\r\nc\r\n'), [2])
    expect(r.messages.map((m) => text(m.data))).toEqual(['a\nb', 'c'])
  })
  it('a 16 MiB line: kept head only, marked oversize, fast', () => {
    const f = createFramer('line')
    const piece = new Uint8Array(1024 * 1024).fill(0x61)
    const t0 = performance.now()
    for (let k = 0; k < 16; k++) expect(f.feed(piece)).toEqual([])
    const [m] = f.feed(bytes('\n'))
    expect(performance.now() - t0).toBeLessThan(2_000)
    expect(m.dataSize).toBe(16 * 1024 * 1024)
    expect(m.data.length).toBe(64 * 1024)
    expect(m.oversize).toBe(true)
    expect(m.end).toBe(16 * 1024 * 1024 + 1)
  })
})

describe('delimiter, fixed, length', () => {
  it('delimiter of several bytes across chunks', () => {
    const r = frameSplit({ type: 'delimiter', hex: '0d0a0d0a' }, bytes('x\r\n\r\r\n\r\nyy\r\n\r\n'), [3, 4, 5, 9])
    expect(r.messages.map((m) => text(m.data))).toEqual(['x\r\n\r', 'yy'])
  })
  it('fixed size', () => {
    const r = frameSplit({ type: 'fixed', size: 3 }, bytes('abcdefgh'), [1, 5])
    expect(r.messages.map((m) => [m.start, text(m.data)])).toEqual([
      [0, 'abc'],
      [3, 'def']
    ])
    expect(r.pending).toEqual({ start: 6, size: 2 })
  })
  it('2-byte big-endian length, body is the payload', () => {
    const stream = Uint8Array.from([0, 3, 97, 98, 99, 0, 0, 0, 1, 120])
    const r = frameSplit(framingSchema.parse({ type: 'length', bytes: 2 }), stream, [1, 3, 6])
    expect(r.messages.map((m) => [m.start, m.end, m.dataStart, text(m.data)])).toEqual([
      [0, 5, 2, 'abc'],
      [5, 7, 7, ''],
      [7, 10, 9, 'x']
    ])
  })
  it('4-byte little-endian length at offset 1 counting the header', () => {
    const spec = framingSchema.parse({ type: 'length', bytes: 4, endian: 'little', offset: 1, includesHeader: true })
    const stream = Uint8Array.from([9, 7, 0, 0, 0, 65, 66])
    const r = frameSplit(spec, stream, [2])
    expect(r.messages.map((m) => [m.start, m.end, text(m.data)])).toEqual([[0, 7, 'AB']])
  })
  it('8-byte length over the bound breaks at the length field, then raw', () => {
    const spec = framingSchema.parse({ type: 'length', bytes: 8, maxLength: 100 })
    const stream = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 2, 104, 105, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2])
    const r = frameSplit(spec, stream, [5, 12])
    expect(r.messages.filter((m) => !m.raw).map((m) => text(m.data))).toEqual(['hi'])
    expect(r.broken).toEqual({ at: 10, reason: 'length 256 is over the bound of 100 bytes (8-byte field)' })
    const raw = r.messages.filter((m) => m.raw)
    // Raw pieces start in the chunk that broke; bytes 10-11 came in the chunk before.
    expect(raw.map((m) => [m.start, m.end])).toEqual([[12, 20]])
  })
})

describe('HTTP framing', () => {
  it('request with Content-Length, then chunked response', () => {
    const req = 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n'
    const r = frameSplit('http', bytes(req), [10, 47, 50])
    expect(r.messages.map((m) => [m.start, m.end, m.summary])).toEqual([
      [0, 53, 'POST /x HTTP/1.1'],
      [53, 71, 'GET / HTTP/1.1']
    ])
    const res =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'
    const s = frameSplit('http', bytes(res), [50, 57])
    expect(s.messages.map((m) => m.summary)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 204 No Content'])
    expect(s.messages[0].end).toBe(res.indexOf('HTTP/1.1 204'))
  })
  it('a response without length runs to the end of the stream', () => {
    const r = frameSplit('http', bytes('HTTP/1.0 200 OK\r\n\r\nbody...'), [], true)
    expect(r.messages.map((m) => [m.end, m.summary])).toEqual([[26, 'HTTP/1.0 200 OK']])
  })
  it('garbage breaks at the start of the message', () => {
    const r = frameSplit('http', bytes('GET / HTTP/1.1\r\n\r\nhello there\r\n'))
    expect(r.broken?.at).toBe(18)
    expect(r.broken?.reason).toMatch(/not an HTTP/)
  })
})

describe('RESP framing', () => {
  it('commands summarised as SET k v; replies', () => {
    const s = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n+OK\r\n$-1\r\n:42\r\n*2\r\n*1\r\n+a\r\n$2\r\nbc\r\nPING\r\n'
    const r = frameSplit('resp', bytes(s), [3, 9, 20])
    expect(r.messages.map((m) => m.summary)).toEqual(['SET k v', '+OK', '(nil)', ':42', 'bc', 'PING'])
    expect(r.broken).toBeNull()
  })
  it('an invalid type byte breaks exactly there', () => {
    const r = frameSplit('resp', bytes('+OK\r\n?oops\r\n'))
    expect(r.broken).toEqual({ at: 5, reason: 'invalid RESP type byte 0x3f' })
  })
})

describe('detection', () => {
  it.each([
    ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'http', 'HTTP request'],
    ['HTTP/1.1 200 OK\r\n', 'http', 'HTTP response'],
    ['*1\r\n$4\r\nPING\r\n', 'resp', 'Redis RESP'],
    ['SSH-2.0-OpenSSH_9.2\r\n', 'crlf', 'SSH'],
    ['hello\n', 'line', 'text lines']
  ])('%j → %s', (first, framing, protocol) => {
    const g = detectFraming(bytes(first))
    expect(g?.framing).toEqual(framing)
    expect(g?.protocol).toBe(protocol)
    expect(g?.reason.length).toBeGreaterThan(10)
  })
  it('TLS ClientHello → 5-byte record headers', () => {
    const g = detectFraming(Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0]))
    expect(g?.protocol).toBe('TLS')
    expect(g?.reason).toMatch(/ClientHello/)
    const r = frameSplit(g!.framing, Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00, 0x17]))
    expect(r.messages.map(essence).map((m) => [m.start, m.end])).toEqual([[0, 7]])
  })
  it('binary', () => {
    expect(detectFraming(Uint8Array.from([0, 1, 2, 255]))?.framing).toBe('raw')
  })
})

describe('frameTraffic', () => {
  it('frames each direction with chunk starts; a dropped head in the middle breaks there', () => {
    const chunks = [
      { seq: 0, dir: 'in' as const, size: 3, bytes: bytes('a\nb') },
      { seq: 1, dir: 'out' as const, size: 2, bytes: bytes('A\n') },
      { seq: 2, dir: 'in' as const, size: 2, bytes: bytes('c\n') },
      { seq: 3, dir: 'in' as const, size: 4, bytes: bytes('z\n') }
    ]
    const f = frameTraffic(chunks, 'line')
    expect(f.in.messages.filter((m) => !m.raw).map((m) => [m.start, m.end, text(m.data)])).toEqual([
      [0, 2, 'a'],
      [2, 5, 'bc']
    ])
    expect(f.in.chunkStarts.map((c) => c.offset)).toEqual([0, 3, 5])
    expect(f.in.broken).toEqual({ at: 5, reason: '2 bytes of this chunk are no longer kept' })
    expect(f.out.messages.map((m) => text(m.data))).toEqual(['A'])
  })
})

describe('frameTraffic bounds', () => {
  it('stops after maxMessages per direction and says where', () => {
    const chunks = Array.from({ length: 10 }, (_, k) => ({
      seq: k,
      dir: 'in' as const,
      size: 4,
      bytes: bytes('a\nb\n')
    }))
    const f = frameTraffic(chunks, 'line', false, 5)
    expect(f.in.messages).toHaveLength(6)
    expect(f.in.stoppedAt).toBe(12)
    expect(f.in.chunkStarts).toHaveLength(10)
  })
  it('256 KiB of empty lines frames within a bound of time', () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x0a)
    const chunks = Array.from({ length: 4 }, (_, k) => ({
      seq: k,
      dir: 'in' as const,
      size: chunk.length,
      bytes: chunk
    }))
    const t0 = performance.now()
    const f = frameTraffic(chunks, 'line')
    expect(performance.now() - t0).toBeLessThan(3_000)
    expect(f.in.messages).toHaveLength(64 * 1024)
    expect(f.in.stoppedAt).toBe(64 * 1024)
  })
})

describe('HTTP HEAD across directions', () => {
  it('a response to HEAD has no body although it announces a Content-Length', () => {
    const req = 'HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'
    const res = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'
    const chunks = [
      { seq: 0, dir: 'in' as const, size: req.length, bytes: bytes(req) },
      { seq: 1, dir: 'out' as const, size: res.length, bytes: bytes(res) }
    ]
    const f = frameTraffic(chunks, 'http', true)
    expect(f.in.messages.map((m) => m.summary)).toEqual(['HEAD / HTTP/1.1', 'GET / HTTP/1.1'])
    expect(f.out.messages.map((m) => [m.start, m.end])).toEqual([
      [0, 38],
      [38, 81]
    ])
    expect(f.out.broken).toBeNull()
  })
})
