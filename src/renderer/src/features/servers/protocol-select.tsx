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

// The TLS client fields are shared with the proxy form (TLS to the upstream): they live in ui/.
export { TlsClientOptions, tlsClientRequest } from '@renderer/ui/tls-client-fields'
export type { TlsClientFields } from '@renderer/ui/tls-client-fields'
