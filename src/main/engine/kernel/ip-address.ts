/** Renders 16 address bytes in RFC 5952 form: lower case, the longest run of ≥2 zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIPv6(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError('An IPv6 address has 16 bytes')
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff
  if (mapped) return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  // RFC 5952 §4.2.2: a single zero group is never shortened to `::`.
  if (bestLen < 2) return hex.join(':')
  const head = hex.slice(0, bestStart).join(':')
  const tail = hex.slice(bestStart + bestLen).join(':')
  return `${head}::${tail}`
}

/** Parses a dotted IPv4 address into 4 bytes, or undefined when it is not one. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!
    if (!/^\d{1,3}$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    out[i] = n
  }
  return out
}

/** Parses a textual IPv6 address (with `::`, an IPv4 tail or a `%zone`) into 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text.trim()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  if (!s.includes(':')) return undefined
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    const pieces = part.split(':')
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p)
        if (!v4) return undefined
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16))
      } else {
        return undefined
      }
    }
    return out
  }
  const head = toGroups(halves[0]!)
  const tail = halves.length === 2 ? toGroups(halves[1]!) : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8
    bytes[2 * i + 1] = g & 0xff
  })
  return bytes
}

/**
 * One spelling per address, for comparing: IPv4-mapped IPv6 becomes plain IPv4, IPv6 is compressed
 * and lower-cased, brackets and `%zone` are dropped; anything unparseable is returned trimmed.
 */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim()
  const v4 = parseIPv4(trimmed)
  if (v4) return trimmed.split('.').map(Number).join('.')
  const v6 = parseIPv6(trimmed)
  if (!v6) return trimmed
  const text = formatIPv6(v6)
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice('::ffff:'.length) : text
}

/** True for the any-address of either family (`0.0.0.0`, `::`, `::ffff:0.0.0.0`). */
export function isWildcardAddress(address: string): boolean {
  const n = normaliseAddress(address)
  return n === '0.0.0.0' || n === '::'
}
