import { RE2JS } from 're2js'
import type { ToxicCondition } from '@shared/proxy-model'
import { MATCH_PATTERN_MAX, MATCH_SCAN_MAX } from '@shared/proxy-model'
import { LabFailure } from '../errors'

/** Finds where a pattern first occurs in a stream fed chunk by chunk, keeping a short overlap between chunks. */
interface StreamMatcher {
  /** The index in `data` (from `from` on) where the first match starts, or -1; a match begun in the overlap counts from `from`. */
  find(data: Buffer, from: number): number
}

function bytesMatcher(pattern: Buffer): StreamMatcher {
  let tail = Buffer.alloc(0)
  return {
    find(data, from) {
      // The pattern may straddle the previous chunk and this one: only that seam needs a copied window.
      if (tail.length > 0) {
        const seam = Buffer.concat([tail, data.subarray(from, from + pattern.length - 1)])
        const s = seam.indexOf(pattern)
        if (s >= 0) return from + Math.max(0, s - tail.length)
      }
      const i = data.indexOf(pattern, from)
      if (i >= 0) return i
      const keep = Math.min(pattern.length - 1, data.length - from)
      tail = Buffer.from(data.subarray(data.length - keep))
      return -1
    }
  }
}

function regexMatcher(source: string): StreamMatcher {
  let re: RE2JS
  try {
    re = RE2JS.compile(source)
  } catch (err) {
    throw new LabFailure('invalid', `The regular expression is not valid: ${(err as Error).message}`)
  }
  let tail = ''
  return {
    find(data, from) {
      // RE2 runs in linear time; each search sees at most the overlap plus MATCH_SCAN_MAX new bytes.
      const fresh = data.toString('latin1', from, Math.min(data.length, from + MATCH_SCAN_MAX))
      const window = tail + fresh
      const m = re.matcher(window)
      if (m.find()) return from + Math.max(0, m.start() - tail.length)
      tail = window.slice(-MATCH_PATTERN_MAX)
      return -1
    }
  }
}

/** Bytes of a hex pattern (`0d0a`, `0D 0A`, `0x0d,0x0a`), or a LabFailure. */
export function parseHexPattern(text: string): Buffer {
  const digits = text.replace(/0x/gi, '').replace(/[\s,:]/g, '')
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(digits)) {
    throw new LabFailure(
      'invalid',
      `${JSON.stringify(text.slice(0, 40))} is not hex bytes`,
      'Write pairs of hex digits, e.g. 0d0a or 2A 31.'
    )
  }
  return Buffer.from(digits, 'hex')
}

/** Checks a condition's pattern up front so a bad one is refused before anything changes. */
export function validateCondition(c: ToxicCondition | undefined): void {
  if (!c?.match) return
  if (c.match.kind === 'hex') parseHexPattern(c.match.value)
  if (c.match.kind === 'regex') regexMatcher(c.match.value)
}

/** Whether a pair (the `index`-th of its proxy, 1-based) is one the condition chooses. */
export function selectsPair(c: ToxicCondition | undefined, index: number, pairId: number): boolean {
  if (!c) return true
  if (c.nthConnection !== undefined && index !== c.nthConnection) return false
  if (c.everyNth !== undefined && index % c.everyNth !== 0) return false
  if (c.pairId !== undefined && pairId !== c.pairId) return false
  return true
}

/** The byte conditions of one fault in one direction: closed until they hold, then open for good. */
export class ByteGate {
  open = false
  private passed = 0
  private readonly matcher: StreamMatcher | null

  constructor(private readonly condition: ToxicCondition) {
    const m = condition.match
    this.matcher = !m
      ? null
      : m.kind === 'regex'
        ? regexMatcher(m.value)
        : bytesMatcher(m.kind === 'hex' ? parseHexPattern(m.value) : Buffer.from(m.value, 'utf8'))
    if (this.matcher === null && !condition.afterBytes) this.open = true
  }

  /** Where in `data` the fault starts (it opens the gate), or -1 when the whole chunk passes untouched. */
  scan(data: Buffer): number {
    let from = 0
    const after = this.condition.afterBytes ?? 0
    if (this.passed < after) {
      const need = after - this.passed
      if (data.length <= need) {
        this.passed += data.length
        return -1
      }
      this.passed = after
      from = need
    }
    if (this.matcher === null) {
      this.open = true
      return from
    }
    const at = this.matcher.find(data, from)
    if (at < 0) return -1
    this.open = true
    return at
  }
}

/** Whether a condition has byte parts (a gate is needed). */
export function hasByteCondition(c: ToxicCondition | undefined): c is ToxicCondition {
  return c !== undefined && (c.match !== undefined || (c.afterBytes ?? 0) > 0)
}
