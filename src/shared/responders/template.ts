import { encodePayload } from '../payload-codec'

/** A piece of a parsed template. */
export type TemplatePart =
  { kind: 'bytes'; bytes: Uint8Array } | { kind: 'capture'; group: number } | { kind: 'var'; name: TemplateVar }

/** The `{{name}}` placeholders a template may use. */
export const TEMPLATE_VARS = ['counter', 'hits', 'time', 'peer', 'message'] as const
/** A placeholder name. */
export type TemplateVar = (typeof TEMPLATE_VARS)[number]

/** A parsed template, or where it is wrong. */
export type TemplateParse =
  { ok: true; parts: TemplatePart[]; maxGroup: number } | { ok: false; message: string; position: number }

function literal(
  text: string,
  at: number
): { ok: true; bytes: Uint8Array } | { ok: false; message: string; position: number } {
  const r = encodePayload({ format: 'escapes', text, lineEnding: 'none' })
  if (r.ok) return r
  // The codec counts from the start of this piece; the caller wants the whole template's position.
  const position = at + r.error.position
  return { ok: false, position, message: r.error.message.replace(/at position \d+/, `at position ${position}`) }
}

/**
 * Parses a reply template: `$0`…`$99` (the match, or a regex group), `$$` (a dollar), `{{counter}}`
 * (this rule's hits on this connection), `{{hits}}` (on the server), `{{time}}` (ISO time), `{{peer}}`
 * (`ADDR:PORT`), `{{message}}` (the whole message), and C-like escapes (`\r\n`, `\xNN`) elsewhere.
 */
export function parseTemplate(template: string): TemplateParse {
  const parts: TemplatePart[] = []
  let maxGroup = -1
  let text = ''
  let textAt = 0
  const flush = (): { ok: false; message: string; position: number } | null => {
    if (text === '') return null
    const r = literal(text, textAt)
    if (!r.ok) return r
    parts.push({ kind: 'bytes', bytes: r.bytes })
    text = ''
    return null
  }
  let i = 0
  while (i < template.length) {
    const c = template[i]
    if (c === '\\' && i + 1 < template.length) {
      if (text === '') textAt = i
      text += template.slice(i, i + 2)
      i += 2
      continue
    }
    if (c === '$' && template[i + 1] === '$') {
      if (text === '') textAt = i
      text += '$'
      i += 2
      continue
    }
    const group = c === '$' ? /^\$(\d{1,2})/.exec(template.slice(i, i + 3)) : null
    if (group) {
      const bad = flush()
      if (bad) return bad
      const n = Number(group[1])
      parts.push({ kind: 'capture', group: n })
      maxGroup = Math.max(maxGroup, n)
      i += group[0].length
      continue
    }
    if (c === '{' && template[i + 1] === '{') {
      const close = template.indexOf('}}', i + 2)
      if (close < 0) return { ok: false, position: i, message: `"{{" at position ${i} is not closed with "}}"` }
      const name = template.slice(i + 2, close).trim()
      if (!(TEMPLATE_VARS as readonly string[]).includes(name)) {
        return {
          ok: false,
          position: i,
          message: `Unknown placeholder {{${name.slice(0, 20)}}} at position ${i}; use ${TEMPLATE_VARS.map((v) => `{{${v}}}`).join(', ')}`
        }
      }
      const bad = flush()
      if (bad) return bad
      parts.push({ kind: 'var', name: name as TemplateVar })
      i = close + 2
      continue
    }
    if (text === '') textAt = i
    text += c
    i++
  }
  const bad = flush()
  if (bad) return bad
  return { ok: true, parts, maxGroup }
}

/** Values a template is filled with. */
export interface TemplateContext {
  captures: (Uint8Array | null)[]
  counter: number
  hits: number
  time: Date
  peer: string
  message: Uint8Array
}

const enc = new TextEncoder()

/** The bytes of a parsed template with its placeholders filled. */
export function renderTemplate(parts: readonly TemplatePart[], ctx: TemplateContext): Uint8Array {
  const pieces: Uint8Array[] = []
  let size = 0
  for (const p of parts) {
    let b: Uint8Array
    if (p.kind === 'bytes') b = p.bytes
    else if (p.kind === 'capture') b = ctx.captures[p.group] ?? new Uint8Array(0)
    else if (p.name === 'counter') b = enc.encode(String(ctx.counter))
    else if (p.name === 'hits') b = enc.encode(String(ctx.hits))
    else if (p.name === 'time') b = enc.encode(ctx.time.toISOString())
    else if (p.name === 'peer') b = enc.encode(ctx.peer)
    else b = ctx.message
    pieces.push(b)
    size += b.length
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const b of pieces) {
    out.set(b, at)
    at += b.length
  }
  return out
}
