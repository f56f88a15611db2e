import { useState } from 'react'
import type { ReactNode } from 'react'
import type { ConnectionInfo } from '@shared/model'
import { useCommand } from '@renderer/store/use-command'
import { CompareView } from './compare-view'

/** The capture part of a connection's detail: compare this run with another (a replay and its source). */
export function CaptureDetail({ connection }: { connection: ConnectionInfo }): ReactNode {
  const { run: request } = useCommand(undefined, { trackBusy: false })
  // Built only when opened: nothing is fetched for a connection nobody compares.
  const [open, setOpen] = useState(false)
  return (
    <details
      className="rounded border border-slate-200 p-2 dark:border-slate-700"
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary className="cursor-pointer text-sm font-medium">Compare with another run</summary>
      {open && <CompareView connection={connection} request={request} />}
    </details>
  )
}
