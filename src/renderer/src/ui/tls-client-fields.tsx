import type { ReactNode } from 'react'
import { INPUT, LABEL } from '@renderer/ui/classes'

/** TLS options of an outgoing client, as the form holds them. */
export interface TlsClientFields {
  verify: boolean
  servername: string
  alpn: string
  /** An extra CA to trust, PEM (shown when the form asks for it). */
  caPem?: string
}

/** SNI, ALPN and verification of an outgoing TLS client. */
export function TlsClientOptions({
  value,
  onChange,
  idPrefix = 'connect',
  withCa = false
}: {
  value: TlsClientFields
  onChange: (v: TlsClientFields) => void
  /** Prefix of the fields' ids (two forms can be on screen at once). */
  idPrefix?: string
  /** Show a field for an extra CA certificate (PEM). */
  withCa?: boolean
}): ReactNode {
  return (
    <div className="grid grid-cols-2 gap-2">
      <div>
        <label htmlFor={`${idPrefix}-sni`} className={LABEL}>
          Server name (SNI)
        </label>
        <input
          id={`${idPrefix}-sni`}
          className={`${INPUT} font-mono`}
          placeholder="the host"
          value={value.servername}
          spellCheck={false}
          onChange={(e) => onChange({ ...value, servername: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-alpn`} className={LABEL}>
          ALPN (comma-separated)
        </label>
        <input
          id={`${idPrefix}-alpn`}
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
      {withCa ? (
        <div className="col-span-2">
          <label htmlFor={`${idPrefix}-ca`} className={LABEL}>
            Also trust this CA (PEM, optional)
          </label>
          <textarea
            id={`${idPrefix}-ca`}
            className={`${INPUT} h-14 font-mono text-[10.5px]`}
            placeholder="-----BEGIN CERTIFICATE----- (e.g. a lab TLS server's certificate file)"
            value={value.caPem ?? ''}
            spellCheck={false}
            onChange={(e) => onChange({ ...value, caPem: e.target.value })}
          />
        </div>
      ) : null}
    </div>
  )
}

/** The `tls` field of client:connect for the form's values. */
export function tlsClientRequest(v: TlsClientFields): {
  verify: boolean
  servername?: string
  alpn?: string[]
  caPem?: string
} {
  const alpn = v.alpn
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
  return {
    verify: v.verify,
    ...(v.servername.trim() !== '' ? { servername: v.servername.trim() } : {}),
    ...(alpn.length > 0 ? { alpn } : {}),
    ...(v.caPem !== undefined && v.caPem.trim() !== '' ? { caPem: v.caPem.trim() + '\n' } : {})
  }
}
