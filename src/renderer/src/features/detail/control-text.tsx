import type { ReactElement, ReactNode } from 'react'
import { escapedText, UNSAFE_CHARS } from '@shared/byte-format'
import { byteTokens, runLabel } from './byte-pages'

const C0 =
  'NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US'.split(
    ' '
  )
const C1 =
  'PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC'.split(
    ' '
  )
const BIDI: Readonly<Record<number, string>> = {
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI'
}
// Characters that draw nothing at all, so a peer could hide text or a difference with them.
const INVISIBLE: Readonly<Record<number, string>> = {
  0x061c: 'ALM',
  0x200b: 'ZWSP',
  0x200c: 'ZWNJ',
  0x200d: 'ZWJ',
  0x200e: 'LRM',
  0x200f: 'RLM',
  0x2028: 'LSEP',
  0x2029: 'PSEP',
  0x2060: 'WJ',
  0x2061: 'FA',
  0x2062: 'IT',
  0x2063: 'IS',
  0x2064: 'IP',
  0xfeff: 'BOM'
}
const C0_WORDS: Readonly<Record<number, string>> = {
  0x00: 'null byte',
  0x07: 'bell',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'line feed, \\n',
  0x0d: 'carriage return, \\r',
  0x1b: 'escape: starts terminal sequences such as colours'
}

// The same set of characters byte-format's visibleText makes visible.
const UNSAFE = UNSAFE_CHARS
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/** One piece of decoded text: plain text, or one control character shown as a badge. */
export type TextSegment =
  | { kind: 'text'; text: string }
  | {
      kind: 'control'
      /** What visibleText shows for it (a Control Picture or `\u{..}`). */ text: string
      abbr: string
      title: string
    }

function hex2(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(2, '0')
}

function control(cp: number): TextSegment {
  if (cp < 0x20) {
    const words = C0_WORDS[cp]
    return {
      kind: 'control',
      text: String.fromCharCode(0x2400 + cp),
      abbr: C0[cp],
      title: `${C0[cp]}: control byte 0x${hex2(cp)}${words ? ` (${words})` : ''}`
    }
  }
  if (cp === 0x7f) return { kind: 'control', text: '\u2421', abbr: 'DEL', title: 'DEL: control byte 0x7F (delete)' }
  const text = `\\u{${cp.toString(16).toUpperCase()}}`
  if (cp <= 0x9f)
    return {
      kind: 'control',
      text,
      abbr: C1[cp - 0x80],
      title: `${C1[cp - 0x80]}: C1 control character U+00${hex2(cp)}`
    }
  const invisible = INVISIBLE[cp]
  if (invisible)
    return {
      kind: 'control',
      text,
      abbr: invisible,
      title: `${invisible}: invisible character U+${cp.toString(16).toUpperCase()}, shown so it cannot hide`
    }
  return {
    kind: 'control',
    text,
    abbr: BIDI[cp] ?? `U+${cp.toString(16).toUpperCase()}`,
    title: `${BIDI[cp] ?? ''} bidirectional formatting character U+${cp.toString(16).toUpperCase()}: shown, not applied`
  }
}

/**
 * Decodes UTF-8 and splits out the control characters. The segments' texts joined equal
 * byte-format's visibleText (a Control Picture per C0 control, LF followed by a real newline).
 */
export function textSegments(bytes: Uint8Array): TextSegment[] {
  const text = decoder.decode(bytes)
  const out: TextSegment[] = []
  let last = 0
  for (const m of text.matchAll(UNSAFE)) {
    const at = m.index
    if (at > last) out.push({ kind: 'text', text: text.slice(last, at) })
    const cp = m[0].charCodeAt(0)
    out.push(control(cp))
    // A line feed still ends the line, after its badge.
    if (cp === 0x0a) out.push({ kind: 'text', text: '\n' })
    last = at + 1
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) })
  return out
}

/**
 * Bytes as text with each control character as a small badge (`NUL`, `LF`, `ESC`, `CSI`, `RLO`).
 * The badge's text content stays the Control Picture (␀ ␊ ␛), so the view can be searched and copied
 * as such, but the abbreviation is what is drawn: few installed fonts have glyphs for U+2400–2421.
 */
export function ControlText({ bytes }: { bytes: Uint8Array }): ReactElement {
  const parts: ReactNode[] = textSegments(bytes).map((s, i) =>
    s.kind === 'text' ? (
      s.text
    ) : (
      <span key={i} className="ctl-badge" data-ctl={s.abbr} title={s.title}>
        {s.text}
      </span>
    )
  )
  return <>{parts}</>
}

/** What the text view shows for one control byte (C0 or DEL): its picture, abbreviation and explanation. */
export function controlOfByte(byte: number): Extract<TextSegment, { kind: 'control' }> {
  return control(byte) as Extract<TextSegment, { kind: 'control' }>
}

function Badge({
  seg,
  count,
  k
}: {
  seg: Extract<TextSegment, { kind: 'control' }>
  count: number
  k: number | string
}): ReactElement {
  if (count === 1) {
    return (
      <span key={k} className="ctl-badge" data-ctl={seg.abbr} title={seg.title}>
        {seg.text}
      </span>
    )
  }
  const label = runLabel(seg.abbr, count)
  return (
    <span
      key={k}
      className="ctl-badge"
      data-ctl={seg.abbr}
      data-ctl-run=""
      data-count={count}
      data-label={label}
      title={`${count.toLocaleString('en-US')} × ${seg.title}`}
    >
      {`${seg.text} ×${count.toLocaleString('en-US')}`}
    </span>
  )
}

/**
 * `bytes[from, to)` in the text view, runs of one control byte collapsed into one badge with a count
 * (`NUL ×65,536`); a run of line feeds ends the line once. Cost is per token, not per byte of a run.
 */
export function RangeText({ bytes, from, to }: { bytes: Uint8Array; from: number; to: number }): ReactElement {
  const parts: ReactNode[] = []
  for (const t of byteTokens(bytes, from, to)) {
    if (t.kind === 'text') {
      for (const [i, s] of textSegments(bytes.subarray(t.from, t.to)).entries()) {
        parts.push(s.kind === 'text' ? s.text : <Badge key={`${t.from}-${i}`} k={`${t.from}-${i}`} seg={s} count={1} />)
      }
      continue
    }
    parts.push(<Badge key={t.from} k={t.from} seg={controlOfByte(t.byte)} count={t.to - t.from} />)
    if (t.byte === 0x0a) parts.push('\n')
  }
  return <>{parts}</>
}

/** `bytes[from, to)` escaped (`\r\n\x00`), runs of one control byte written once with a count badge. */
export function RangeEscaped({ bytes, from, to }: { bytes: Uint8Array; from: number; to: number }): ReactElement {
  const parts: ReactNode[] = []
  let plain = ''
  for (const t of byteTokens(bytes, from, to)) {
    const count = t.to - t.from
    if (t.kind === 'control' && count > 1) {
      if (plain) parts.push(plain)
      plain = ''
      parts.push(escapedText(bytes.subarray(t.from, t.from + 1)))
      parts.push(
        <span
          key={t.from}
          className="ctl-badge"
          data-ctl-run=""
          data-count={count}
          data-label={`×${count.toLocaleString('en-US')}`}
          title={`${count.toLocaleString('en-US')} times the same byte`}
        >
          {` ×${count.toLocaleString('en-US')}`}
        </span>
      )
    } else plain += escapedText(bytes.subarray(t.from, t.to))
  }
  if (plain) parts.push(plain)
  return <>{parts}</>
}
