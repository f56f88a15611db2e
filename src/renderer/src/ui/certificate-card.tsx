import type { ReactNode } from 'react'
import type { CertificateInfo } from '@shared/model'

/** A certificate the lab serves: subject, names, validity, SHA-256 fingerprint, and its file (TLS servers and proxies). */
export function CertificateCard({ cert, label = 'Certificate' }: { cert: CertificateInfo; label?: string }): ReactNode {
  return (
    <dl
      className="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 gap-y-0.5 rounded-md border border-emerald-200 bg-emerald-50/60 p-2 text-[11.5px] dark:border-emerald-900 dark:bg-emerald-950/30"
      aria-label={label}
    >
      <dt className="text-slate-500 dark:text-slate-400">Certificate</dt>
      <dd className="[overflow-wrap:anywhere]">
        {cert.subject} ·{' '}
        {cert.source === 'generated'
          ? 'self-signed, made at start'
          : cert.issuer === cert.subject
            ? 'self-signed (given, or kept by the workspace)'
            : `issued by ${cert.issuer}`}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Names</dt>
      <dd className="font-mono [overflow-wrap:anywhere]">{cert.altNames.join(', ') || '(none)'}</dd>
      <dt className="text-slate-500 dark:text-slate-400">Valid</dt>
      <dd className="font-mono">
        {cert.validFrom.slice(0, 10)} → {cert.validTo.slice(0, 10)}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">SHA-256</dt>
      <dd className="font-mono text-[10.5px] [overflow-wrap:anywhere]" data-testid="cert-fingerprint">
        {cert.fingerprint256}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">File</dt>
      <dd className="font-mono [overflow-wrap:anywhere]" data-testid="cert-path">
        {cert.certPath ?? 'not written'}
      </dd>
    </dl>
  )
}
