import { z } from 'zod'

const hexBytes = z
  .string()
  .trim()
  .regex(/^(?:[0-9a-fA-F]{2}[\s:,-]?)+$/, 'Delimiter must be hex bytes, as in "0d0a" or "00"')
  .max(64, 'Delimiter is at most 32 bytes')

/** How a byte stream is cut into messages; a string is the short form of the object with that `type`. */
export const framingObjectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('raw') }),
  /** `lf` splits on LF and strips a trailing CR; `crlf` splits only on CRLF. */
  z.strictObject({ type: z.literal('line'), eol: z.enum(['lf', 'crlf']).default('lf') }),
  z.strictObject({ type: z.literal('delimiter'), hex: hexBytes }),
  z.strictObject({
    type: z.literal('fixed'),
    size: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024 * 1024)
  }),
  z.strictObject({
    type: z.literal('length'),
    /** Width of the length field in bytes. */
    bytes: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
    endian: z.enum(['big', 'little']).default('big'),
    /** Bytes before the length field (part of each message's header). */
    offset: z.number().int().min(0).max(1024).default(0),
    /** The length counts the header (offset + length field) as well as the body. */
    includesHeader: z.boolean().default(false),
    /** A body longer than this breaks the framing. */
    maxLength: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40)
      .default(16 * 1024 * 1024)
  }),
  z.strictObject({ type: z.literal('http') }),
  z.strictObject({ type: z.literal('resp') })
])

/** The short names: `line` = LF (CR stripped), `crlf` = lines ending CRLF. */
export const FRAMING_NAMES = ['raw', 'line', 'crlf', 'http', 'resp'] as const

/** A framing as written by a person (`"line"`) or a program (`{type: "length", bytes: 2}`). */
export const framingSchema = z.union([
  z.enum(FRAMING_NAMES, {
    error: (i) => `Unknown framing ${JSON.stringify(i.input)}; use ${FRAMING_NAMES.join(', ')} or an object`
  }),
  framingObjectSchema
])
/** A framing as written. */
export type FramingInput = z.input<typeof framingSchema>
/** A framing as stored. */
export type Framing = z.output<typeof framingSchema>
/** A framing in its full form. */
export type FramingSpec = z.output<typeof framingObjectSchema>

/** The full form of a framing (`"crlf"` → `{type:'line', eol:'crlf'}`). */
export function normalizeFraming(f: Framing | FramingInput): FramingSpec {
  // An object written by hand may leave out fields that have defaults.
  if (typeof f !== 'string') return framingObjectSchema.parse(f)
  if (f === 'line') return { type: 'line', eol: 'lf' }
  if (f === 'crlf') return { type: 'line', eol: 'crlf' }
  return { type: f }
}

/** A short human name of a framing: `lines (LF)`, `2-byte length (big endian)`. */
export function describeFraming(f: Framing | FramingInput): string {
  const s = normalizeFraming(f)
  switch (s.type) {
    case 'raw':
      return 'raw chunks'
    case 'line':
      return s.eol === 'lf' ? 'lines (LF, CR stripped)' : 'lines (CRLF)'
    case 'delimiter':
      return `delimiter ${s.hex}`
    case 'fixed':
      return `fixed ${s.size} bytes`
    case 'length':
      return `${s.bytes}-byte length (${s.endian} endian${s.offset ? `, at offset ${s.offset}` : ''}${s.includesHeader ? ', counts header' : ''})`
    case 'http':
      return 'HTTP/1.x'
    case 'resp':
      return 'Redis RESP'
  }
}

/** The bytes of a hex string such as `0d 0a`. */
export function hexToBytes(hex: string): Uint8Array {
  const digits = hex.replace(/[\s:,-]/g, '')
  const out = new Uint8Array(digits.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return out
}
