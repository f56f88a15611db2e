import { useEffect, useRef, useState } from 'react'
import type { ReactElement } from 'react'
import type { KernelView } from '@shared/kernel-model'
import type { ConnectionInfo } from '@shared/model'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { Segmented } from '@renderer/ui/segmented'
import type { SegmentOption } from '@renderer/ui/segmented'
import { Term } from '@renderer/ui/term'
import { KernelTable } from './kernel-table'

/** How often the kernel's view is read while shown. */
export const KERNEL_POLL_MS = 500

/** Props of the kernel panel. */
export interface KernelPanelProps {
  /** Runs the commands; by default the lab store of the tree (tests pass their own). */
  request?: LabRequest
  /** Polls only while true. */
  visible: boolean
  /** Called with a lab connection id when its "#ID" link is clicked. */
  onSelectConnection?: (id: number) => void
  /** The lab's connections (closed ones too), to name the peer side of a connection whose lab side is gone. */
  connections?: readonly ConnectionInfo[]
}

const SCOPES = [
  { value: 'lab', label: "Lab's ports" },
  { value: 'all', label: 'All ports' }
] as const satisfies readonly SegmentOption<'lab' | 'all'>[]

const SOURCE_WORDS: Record<KernelView['source'], string> = {
  proc: 'read from /proc/net/tcp and /proc/net/tcp6',
  netstat: "best effort from the system's netstat (fewer details; may lag)",
  unavailable: 'not available on this system'
}

/** The kernel's own view of the sockets on the lab's ports (or all), refreshed while visible. */
export function KernelPanel({ request, visible, onSelectConnection, connections }: KernelPanelProps): ReactElement {
  const [scope, setScope] = useState<'lab' | 'all'>('lab')
  const [view, setView] = useState<KernelView | null>(null)
  const { run, error } = useCommand(request)
  // A new `run` (a new `request` from the parent) must not restart the polling.
  const runRef = useRef(run)
  runRef.current = run

  useEffect(() => {
    if (!visible) return
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async (): Promise<void> => {
      const result = await runRef.current('kernel:sockets', { scope })
      if (cancelled) return
      if (result.ok) setView(result.value)
      timer = setTimeout(() => void tick(), KERNEL_POLL_MS)
    }
    void tick()
    return () => {
      cancelled = true
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [visible, scope])

  const sockets = view?.sockets ?? []
  return (
    <section aria-label="Kernel view" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <h2 className="text-base font-semibold">The kernel's view</h2>
        <Segmented label="Scope" options={SCOPES} value={scope} onChange={setScope} className="text-xs" />
        {view && (
          <span
            data-testid="kernel-source"
            className={`text-xs ${view.source === 'proc' ? 'text-slate-500 dark:text-slate-400' : 'text-amber-700 dark:text-amber-300'}`}
          >
            Source: {SOURCE_WORDS[view.source]}
          </span>
        )}
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        <Term name="Recv-Q" />: bytes received but not yet read by the program; <Term name="Send-Q" />: bytes sent but
        not yet acknowledged. For a LISTEN socket, Recv-Q is the <Term name="accept queue" /> (handshakes done, waiting
        for <code>accept()</code>); its Send-Q reads 0 here because /proc/net/tcp does not report the{' '}
        <Term name="backlog" /> (<code>ss -lt</code> shows it in that column; the server card&apos;s Settings show it
        too).
      </p>
      {view?.note && <p className="text-xs text-amber-700 dark:text-amber-300">{view.note}</p>}
      <ErrorAlert error={error} />
      <KernelTable sockets={sockets} connections={connections} onSelectConnection={onSelectConnection} />
      {view && sockets.length === 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          No sockets {scope === 'lab' ? "on the lab's ports" : ''} right now.
        </p>
      )}
    </section>
  )
}
