import type { ReactNode } from 'react'
import type { ProxyInfo } from '@shared/proxy-model'
import { BADGE, TONES } from '@renderer/ui/classes'
import { CertificateCard } from '@renderer/ui/certificate-card'
import { CopyButton } from '@renderer/ui/copy-button'

/** A proxy's TLS on its card: which sides speak TLS, the certificate it presents, and the commands that trust it. */
export function ProxyTlsFacts({ proxy }: { proxy: ProxyInfo }): ReactNode {
  const up = proxy.upstreamTls
  if (!proxy.listenTls && !up) return null
  const cert = proxy.certificate
  return (
    <div className="space-y-1" data-testid="proxy-tls">
      <div className="flex flex-wrap gap-1">
        {proxy.listenTls ? (
          <span
            className={`${BADGE} ${TONES.violet}`}
            title="The lab terminates TLS: the client leg's timeline shows the decrypted bytes"
          >
            TLS to the client
          </span>
        ) : null}
        {up ? (
          <span
            className={`${BADGE} ${up.verify ? TONES.violet : TONES.amber}`}
            title="The lab opens TLS to the upstream: the upstream leg's timeline shows the plaintext it encrypts"
          >
            TLS to the upstream · {up.verify ? 'verified' : 'not verified'}
            {up.servername ? ` · SNI ${up.servername}` : ''}
            {up.caPem ? ' · extra CA' : ''}
          </span>
        ) : null}
      </div>
      {cert ? (
        <>
          <CertificateCard cert={cert} label="Proxy certificate" />
          <ul className="space-y-0.5" aria-label="Commands that trust the proxy's certificate">
            {cert.trustCommands.map((cmd) => (
              <li key={cmd} className="flex items-start gap-1">
                <code className="min-w-0 flex-1 font-mono text-[10.5px] [overflow-wrap:anywhere]">{cmd}</code>
                <CopyButton text={cmd} label={`Copy: ${cmd.split(' ')[0]}`} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}
