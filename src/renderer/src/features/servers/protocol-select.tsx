import type { ReactNode } from 'react'
import type { ServerProtocol } from '@shared/model'
import { INPUT, LABEL } from '@renderer/ui/classes'

// Short option labels (the sidebar is narrow; nothing may be cut), the longer words below the select.
const PROTOCOL_LABEL: Record<ServerProtocol, string> = { tcp: 'TCP', udp: 'UDP', tls: 'TLS' }
const PROTOCOL_INFO: Record<ServerProtocol, string> = {
  tcp: 'A byte stream (or a Unix socket).',
  udp: 'Datagrams: each send is one message, boundaries kept; one flow per peer address:port.',
  tls: 'TLS over TCP: encrypted, with a self-signed certificate made at start.'
}

/** The transport choice of the start form and the outgoing-client form. */
export function ProtocolSelect({
  id,
  value,
  onChange
}: {
  id: string
  value: ServerProtocol
  onChange: (p: ServerProtocol) => void
}): ReactNode {
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        Protocol
      </label>
      <select
        id={id}
        className={INPUT}
        value={value}
        aria-describedby={`${id}-info`}
        onChange={(e) => onChange(e.target.value as ServerProtocol)}
      >
        {(Object.keys(PROTOCOL_LABEL) as ServerProtocol[]).map((p) => (
          <option key={p} value={p}>
            {PROTOCOL_LABEL[p]}
          </option>
        ))}
      </select>
      <p id={`${id}-info`} className="mt-1 text-xs leading-snug text-slate-500 dark:text-slate-400">
        {PROTOCOL_INFO[value]}
      </p>
    </div>
  )
}

/** TLS options of an outgoing client, as the form holds them. */
export interface TlsClientFields {
  verify: boolean
  servername: string
  alpn: string
}

/** SNI, ALPN and verification of an outgoing TLS client. */
export function TlsClientOptions({
  value,
  onChange
}: {
  value: TlsClientFields
  onChange: (v: TlsClientFields) => void
}): ReactNode {
  return (
    <div className="grid grid-cols-2 gap-2">
      <div>
        <label htmlFor="connect-sni" className={LABEL}>
          Server name (SNI)
        </label>
        <input
          id="connect-sni"
          className={`${INPUT} font-mono`}
          placeholder="the host"
          value={value.servername}
          spellCheck={false}
          onChange={(e) => onChange({ ...value, servername: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor="connect-alpn" className={LABEL}>
          ALPN (comma-separated)
        </label>
        <input
          id="connect-alpn"
          className={`${INPUT} font-mono`}
          placeholder="h2, http/1.1"
          value={value.alpn}
          spellCheck={false}
          onChange={(e) => onChange({ ...value, alpn: e.target.value })}
        />
      </div>
      <label className="col-span-2 flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          checked={value.verify}
          onChange={(e) => onChange({ ...value, verify: e.target.checked })}
        />
        Verify the certificate (off: connect anyway and show what was wrong)
      </label>
    </div>
  )
}

/** The `tls` field of client:connect for the form's values. */
export function tlsClientRequest(v: TlsClientFields): { verify: boolean; servername?: string; alpn?: string[] } {
  const alpn = v.alpn
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
  return {
    verify: v.verify,
    ...(v.servername.trim() !== '' ? { servername: v.servername.trim() } : {}),
    ...(alpn.length > 0 ? { alpn } : {})
  }
}
