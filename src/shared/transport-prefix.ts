/** A transport an ADDRESS may be prefixed with (`udp:`, `tls:`, an explicit `tcp:`). */
export type TransportPrefix = 'udp' | 'tls' | 'tcp'

/**
 * Splits `udp:ADDRESS` / `tls:ADDRESS` / `tcp:ADDRESS` into the transport and the address after it; the one
 * place both `--listen` (servers) and proxy addresses read the prefix. `unix:PATH` has no prefix.
 */
export function splitTransport(text: string): { protocol: TransportPrefix | null; rest: string } {
  const m = /^(udp|tls|tcp):(.*)$/i.exec(text)
  if (!m) return { protocol: null, rest: text }
  return { protocol: m[1].toLowerCase() as TransportPrefix, rest: m[2] }
}
