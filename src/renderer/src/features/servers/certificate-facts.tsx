import type { ReactNode } from 'react'
import type { ServerInfo } from '@shared/model'
import { CertificateCard } from '@renderer/ui/certificate-card'

/** A TLS server's certificate on its card: subject, names, validity, SHA-256 fingerprint, and its file. */
export function CertificateFacts({ server }: { server: ServerInfo }): ReactNode {
  const cert = server.certificate
  if (server.protocol === 'udp' && server.udp) {
    return (
      <p className="mt-2 text-xs leading-snug text-slate-600 dark:text-slate-400" data-testid="udp-facts">
        UDP: each remote address:port is a flow; a flow closes after {Math.round(server.udp.idleTimeoutMs / 1000)} s
        without a datagram
        {server.udp.droppedDatagrams > 0
          ? ` · ${server.udp.droppedDatagrams} datagrams dropped (over ${server.udp.maxFlows} flows)`
          : ''}
        .
      </p>
    )
  }
  if (!cert) return null
  return <CertificateCard cert={cert} />
}
