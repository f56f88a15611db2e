import type { ReactNode } from 'react'
import { formatExactBytes } from '@shared/byte-format'
import type { ConnectionInfo } from '@shared/model'

/** A connection's transport beside its 4-tuple: a UDP flow's datagram facts, or a TLS handshake and its wire bytes. */
export function TransportFacts({ connection: c }: { connection: ConnectionInfo }): ReactNode {
  if (c.kind === 'udp') {
    return (
      <p
        data-testid="udp-flow-facts"
        className="rounded border border-sky-200 bg-sky-50/60 p-2 text-xs leading-snug dark:border-sky-900 dark:bg-sky-950/30"
      >
        <strong>UDP flow</strong>: every chunk below is one datagram, its size exactly what one send carried (UDP keeps
        message boundaries; a TCP stream does not). {c.chunksIn.toLocaleString('en-US')} datagrams in,{' '}
        {c.chunksOut.toLocaleString('en-US')} out; first seen {new Date(c.openedAt).toLocaleTimeString()}, last{' '}
        {new Date(c.lastActivity).toLocaleTimeString()}. No handshake, no FIN: the flow ends after its idle timeout.
      </p>
    )
  }
  const t = c.tls
  if (c.kind !== 'tls' || !t) return null
  const rows: [string, string][] = [
    ['Handshake', t.handshake === 'done' ? 'done' : t.handshake === 'pending' ? 'in progress' : 'failed'],
    ['Protocol', t.protocol ?? '—'],
    ['Cipher', t.cipher ?? '—'],
    ['ALPN', t.alpn ?? 'none'],
    ['SNI', t.sni ?? 'none'],
    [
      'Peer certificate',
      t.peerCertificate
        ? `${t.peerCertificate.subject} (SHA-256 ${t.peerCertificate.fingerprint256.slice(0, 23)}…)`
        : 'none'
    ]
  ]
  if (t.verify !== undefined)
    rows.push([
      'Verification',
      t.verify
        ? t.verifyError
          ? `failed: ${t.verifyError}`
          : 'passed'
        : `off${t.verifyError ? ` (would fail: ${t.verifyError})` : ''}`
    ])
  return (
    <div
      data-testid="tls-facts"
      className="rounded border border-emerald-200 bg-emerald-50/60 p-2 text-xs dark:border-emerald-900 dark:bg-emerald-950/30"
    >
      {t.failure ? (
        <p role="alert" className="mb-1 font-medium text-red-700 dark:text-red-300">
          {t.failure}
        </p>
      ) : null}
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 gap-y-0.5">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
            <dd className="font-mono [overflow-wrap:anywhere]">{v}</dd>
          </div>
        ))}
        <dt className="text-slate-500 dark:text-slate-400">On the wire</dt>
        <dd className="font-mono" data-testid="tls-wire">
          in {formatExactBytes(t.wireBytesIn)} encrypted / {formatExactBytes(c.bytesIn)} decrypted · out{' '}
          {formatExactBytes(t.wireBytesOut)} encrypted / {formatExactBytes(c.bytesOut)} decrypted
        </dd>
      </dl>
      <p className="mt-1 text-[11px] text-slate-500 dark:text-slate-400">
        The timeline below shows the decrypted bytes; the socket carried the encrypted records (handshake included).
      </p>
    </div>
  )
}
