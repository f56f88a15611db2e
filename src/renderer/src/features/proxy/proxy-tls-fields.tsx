import type { ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import { INPUT, LABEL } from '@renderer/ui/classes'
import { TlsClientOptions, tlsClientRequest } from '@renderer/ui/tls-client-fields'
import type { TlsClientFields } from '@renderer/ui/tls-client-fields'

/** The proxy form's TLS choices, as the form holds them. */
export interface ProxyTlsFormValue {
  /** Terminate TLS towards the client. */
  toClient: boolean
  /** The user's certificate and key (PEM); empty: a self-signed one is made at start. */
  certPem: string
  keyPem: string
  /** Open TLS to the upstream. */
  toUpstream: boolean
  upstream: TlsClientFields
}

/** Nothing TLS: a pass-through proxy, as before. */
export const NO_PROXY_TLS: ProxyTlsFormValue = {
  toClient: false,
  certPem: '',
  keyPem: '',
  toUpstream: false,
  upstream: { verify: true, servername: '', alpn: '', caPem: '' }
}

/** The `listenTls` / `upstreamTls` fields of proxy:create for the form's values. */
export function proxyTlsRequest(v: ProxyTlsFormValue): Pick<CommandInput<'proxy:create'>, 'listenTls' | 'upstreamTls'> {
  const own = v.certPem.trim() !== '' || v.keyPem.trim() !== ''
  return {
    ...(v.toClient ? { listenTls: own ? { certPem: v.certPem, keyPem: v.keyPem } : {} } : {}),
    ...(v.toUpstream ? { upstreamTls: tlsClientRequest(v.upstream) } : {})
  }
}

/** "TLS towards the client" (certificate: made at start or the user's PEM) and "TLS to the upstream" (verify, SNI, ALPN, CA). */
export function ProxyTlsFields({
  value,
  onChange
}: {
  value: ProxyTlsFormValue
  onChange: (v: ProxyTlsFormValue) => void
}): ReactNode {
  return (
    <fieldset className="space-y-1.5 rounded-md border border-slate-200 p-2 dark:border-slate-800">
      <legend className="px-1 text-xs text-slate-500 dark:text-slate-400">
        TLS (the lab shows the plaintext between)
      </legend>
      <label className="flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          checked={value.toClient}
          onChange={(e) => onChange({ ...value, toClient: e.target.checked })}
        />
        TLS towards the client (the lab presents a certificate)
      </label>
      {value.toClient ? (
        <div className="space-y-1 pl-5">
          <p className="text-[11px] leading-snug text-slate-500 dark:text-slate-400">
            A self-signed certificate is made at start (for localhost, 127.0.0.1, ::1); the card shows its file for curl
            --cacert.
          </p>
          <details open={value.certPem !== '' || value.keyPem !== ''}>
            <summary className="cursor-pointer text-[11px] text-slate-600 dark:text-slate-300">
              Use my own certificate (PEM)…
            </summary>
            <div className="mt-1 space-y-1">
              <label htmlFor="proxy-cert" className={LABEL}>
                Certificate (PEM)
              </label>
              <textarea
                id="proxy-cert"
                className={`${INPUT} h-12 font-mono text-[10.5px]`}
                placeholder="-----BEGIN CERTIFICATE-----"
                value={value.certPem}
                spellCheck={false}
                onChange={(e) => onChange({ ...value, certPem: e.target.value })}
              />
              <label htmlFor="proxy-key" className={LABEL}>
                Private key (PEM, unencrypted)
              </label>
              <textarea
                id="proxy-key"
                className={`${INPUT} h-12 font-mono text-[10.5px]`}
                placeholder="-----BEGIN PRIVATE KEY-----"
                value={value.keyPem}
                spellCheck={false}
                onChange={(e) => onChange({ ...value, keyPem: e.target.value })}
              />
            </div>
          </details>
        </div>
      ) : null}
      <label className="flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          checked={value.toUpstream}
          onChange={(e) => onChange({ ...value, toUpstream: e.target.checked })}
        />
        TLS to the upstream (the lab is a TLS client)
      </label>
      {value.toUpstream ? (
        <div className="pl-5">
          <TlsClientOptions
            idPrefix="proxy-up"
            withCa
            value={value.upstream}
            onChange={(upstream) => onChange({ ...value, upstream })}
          />
        </div>
      ) : null}
    </fieldset>
  )
}
