import type { ReactNode } from 'react'
import { useLab } from '@renderer/store/use-lab'

/** True while the page shows what it last knew of a lab it can no longer reach. */
export function useStale(): boolean {
  return useLab((s) => s.link === 'down' && s.snapshots > 0)
}

const ACCESS_CODES = new Set(['no-token', 'unauthorized'])

/**
 * What to do when the page cannot reach the lab: without a token (or with a refused one) it explains
 * where the URL comes from; after the lab stopped it says the page is stale and reconnects by itself.
 */
export function LinkBanner({ kind }: { kind: string }): ReactNode {
  const link = useLab((s) => s.link)
  const snapshots = useLab((s) => s.snapshots)
  const error = useLab((s) => s.linkError ?? null)
  const lastUpAt = useLab((s) => s.lastUpAt ?? s.lastBatchAt)
  if (link === 'up' || link === 'resyncing') return null
  if (error && ACCESS_CODES.has(error.code)) {
    return (
      <div
        role="alert"
        data-testid="link-banner"
        data-reason={error.code}
        className="border-b border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-100"
      >
        <p className="font-semibold">
          {error.code === 'no-token'
            ? 'This page needs the address the lab printed, token included.'
            : 'The lab refused this page’s token: it belongs to another run of the lab.'}
        </p>
        <p className="mt-1">
          Open the URL that <code className="font-mono">tcp-lab web</code> printed in its terminal, the whole line after
          “TCP Lab UI:” (it ends in <code className="font-mono">#token=…</code>). Lost it? Stop the lab with Ctrl-C and
          start it again (<code className="font-mono">npx tcp-lab web</code> or{' '}
          <code className="font-mono">npm run web</code>): it prints a new URL. The token is made fresh for every run
          and never leaves your machine.
        </p>
      </div>
    )
  }
  if (link === 'down' && snapshots > 0) {
    const when = lastUpAt ? new Date(lastUpAt).toLocaleTimeString() : null
    return (
      <div
        role="alert"
        data-testid="link-banner"
        data-reason="stale"
        className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100"
      >
        <span className="font-semibold">The lab is not reachable{when ? ` since ${when}` : ''}.</span> Everything below
        is how it was then (stale): servers and connections may be gone.{' '}
        {kind === 'web'
          ? 'This page reconnects by itself when the lab is back on the same port with the same token.'
          : 'Reconnecting…'}
      </div>
    )
  }
  return null
}
