// Display helpers for bytes received from untrusted peers. Everything here returns plain text meant to
// be rendered as a text node (never as HTML): controls and bidi overrides are made visible so a
// peer cannot move the cursor, clear the view, or reorder what the person reads.

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

// C0 controls, DEL, C1 controls, bidi embeddings/overrides (202A–202E) and isolates (2066–2069), and the
// invisible ones: zero-width and direction marks (200B–200F, 061C), word joiner and invisible operators
// (2060–2064), the BOM / zero-width no-break space (FEFF), line and paragraph separators (2028, 2029).
/** Every character the views make visible instead of rendering (global: use with replace / matchAll). */
export const UNSAFE_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

function showUnsafe(ch: string): string {
  const cp = ch.charCodeAt(0)
  if (cp === 0x0a) return '\u240a\n'
  if (cp < 0x20) return String.fromCharCode(0x2400 + cp)
  if (cp === 0x7f) return '\u2421'
  return `\\u{${cp.toString(16).toUpperCase()}}`
}

/**
 * Decodes UTF-8 (invalid sequences become U+FFFD) and makes controls visible: C0 as Control
 * Pictures (NUL → ␀, ESC → ␛, TAB → ␉), LF as ␊ plus a real newline, DEL → ␡, C1 controls and
 * bidi overrides/isolates as `\u{..}` text. A BOM and everything else is kept as is.
 */
export function visibleText(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes).replace(UNSAFE_CHARS, showUnsafe)
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

const ESCAPED_BYTE = Array.from({ length: 256 }, (_, b) => {
  if (b === 0x5c) return '\\\\'
  if (b >= 0x20 && b <= 0x7e) return String.fromCharCode(b)
  if (b === 0x0d) return '\\r'
  if (b === 0x0a) return '\\n'
  if (b === 0x09) return '\\t'
  return `\\x${HEX_BYTE[b]}`
})

/**
 * Shows bytes one by one: printable ASCII as is, `\r \n \t \\`, and `\xHH` for every other byte
 * (NUL is `\x00`, as in the README; a UTF-8 `é` is `\xc3\xa9`). The result parses back to the same
 * bytes as an `escapes` payload.
 */
export function escapedText(bytes: Uint8Array): string {
  const parts: string[] = new Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    parts[i] = ESCAPED_BYTE[bytes[i]]
  }
  return parts.join('')
}

/** One line of a hex dump. */
export interface HexDumpLine {
  /** Offset of the first byte, at least 8 lowercase hex digits. */
  offset: string
  /** Lowercase byte pairs separated by spaces, with a double space after every 8th byte; not padded. */
  hex: string
  /** One character per byte: printable ASCII as is, `.` for everything else. */
  ascii: string
}

/**
 * `xxd`-like lines: `hexDumpLines([0,1,0x68,0x69])` → `{ offset: '00000000', hex: '00 01 68 69', ascii: '..hi' }`.
 * The last line is not padded; pad `hex` to `hexColumnWidth(width)` for aligned plain text.
 */
export function hexDumpLines(bytes: Uint8Array, startOffset = 0, width = 16): HexDumpLine[] {
  const w = Math.max(1, Math.floor(width))
  const lines: HexDumpLine[] = []
  for (let start = 0; start < bytes.length; start += w) {
    const end = Math.min(bytes.length, start + w)
    let hex = ''
    let ascii = ''
    for (let i = start; i < end; i++) {
      const b = bytes[i]
      const k = i - start
      if (k > 0) hex += k % 8 === 0 ? '  ' : ' '
      hex += HEX_BYTE[b]
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'
    }
    lines.push({ offset: (startOffset + start).toString(16).padStart(8, '0'), hex, ascii })
  }
  return lines
}

/** The character width of a full `hex` column for `width` bytes per line. */
export function hexColumnWidth(width = 16): number {
  const w = Math.max(1, Math.floor(width))
  return w * 3 - 1 + Math.floor((w - 1) / 8)
}

/** `1073741824` → `1,073,741,824 B` (comma separators whatever the locale; rounded to a whole byte). */
export function formatExactBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`
  const sign = n < 0 ? '-' : ''
  const digits = Math.round(Math.abs(n)).toString()
  // toString of a large number can be exponential; exact formatting then is moot anyway.
  if (!/^\d+$/.test(digits)) return `${sign}${digits} B`
  return `${sign}${digits.replace(/\B(?=(\d{3})+$)/g, ',')} B`
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const

/** Binary units: `512 B`, `1.5 KiB`, `1.0 GiB` (whole bytes below 1 KiB, one decimal above). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`
  const sign = n < 0 ? '-' : ''
  let value = Math.abs(n)
  if (Math.round(value) < 1024) return `${sign}${Math.round(value)} B`
  let unit = -1
  // Step up while the rounded figure would show 1024.0 or more, so 1023.99 KiB reads 1.0 MiB.
  do {
    value /= 1024
    unit++
  } while (unit < UNITS.length - 1 && Math.round(value * 10) / 10 >= 1024)
  return `${sign}${value.toFixed(1)} ${UNITS[unit]}`
}

/** A transfer rate: `1.2 MiB/s`, `0 B/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/**
 * An elapsed time, truncated to whole seconds: `0s`, `3s`, `2m 05s`, `1h 02m`, `3d 04h`.
 * Negative or non-finite values read `0s`.
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0
  const s = total % 60
  const m = Math.floor(total / 60) % 60
  const h = Math.floor(total / 3600) % 24
  const d = Math.floor(total / 86400)
  const two = (v: number): string => v.toString().padStart(2, '0')
  if (d > 0) return `${d}d ${two(h)}h`
  if (h > 0) return `${h}h ${two(m)}m`
  if (m > 0) return `${m}m ${two(s)}s`
  return `${s}s`
}
