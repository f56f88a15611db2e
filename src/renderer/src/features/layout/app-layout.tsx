import { useCallback, useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import { ConnectionsTable } from '@renderer/features/connections/connections-table'
import { ConnectionsToolbar } from '@renderer/features/connections/connections-toolbar'
import { CaptureBar } from '@renderer/features/capture/capture-bar'
import { useVisibleRowIds } from '@renderer/features/connections/use-visible-rows'
import { OutgoingClients } from '@renderer/features/servers/outgoing-clients'
import { ServerList } from '@renderer/features/servers/server-list'
import { ProxySection } from '@renderer/features/proxy/proxy-section'
import { StartServerForm } from '@renderer/features/servers/start-server-form'
import { Toasts } from '@renderer/features/notices/toasts'
import { UnrestoredServers, WorkspacePanel } from '@renderer/features/workspace/workspace-panel'
import { AppHeader } from './app-header'
import { DetailSlot } from './detail-slot'
import { LinkBanner, useStale } from './link-banner'
import { LessonDock } from './lesson-dock'
import { useKeyboardShortcuts } from './keyboard-shortcuts'
import { HEADING } from '@renderer/ui/classes'

/** The whole window: header; servers sidebar; connections table over the lesson dock; the detail column. */
export function AppLayout({ kind }: { kind: string }): ReactNode {
  useKeyboardShortcuts()
  const stale = useStale()
  // The table's rows as it shows them, read by the capture bar when it exports "the shown connections".
  const shownRef = useRef<readonly number[]>([])
  const shownIds = useCallback(() => shownRef.current, [])
  return (
    <div className="flex h-screen flex-col bg-slate-100 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <AppHeader kind={kind} />
      <LinkBanner kind={kind} />
      {/* The detail column grows with the window (clamp) so traffic and hex stay readable; the table gives way. */}
      <div
        data-stale={stale ? 'true' : undefined}
        aria-disabled={stale || undefined}
        className={`${stale ? 'opacity-60 saturate-0 ' : ''}grid min-h-0 flex-1 grid-cols-[17rem_minmax(0,1fr)] grid-rows-[minmax(0,3fr)_minmax(0,2fr)] lg:grid-cols-[14rem_minmax(0,1fr)_clamp(22rem,30vw,38rem)] lg:grid-rows-1 min-[87.5rem]:grid-cols-[16rem_minmax(0,1fr)_clamp(24rem,31vw,38rem)] 2xl:grid-cols-[18rem_minmax(0,1fr)_clamp(24rem,31vw,38rem)] min-[112.5rem]:grid-cols-[20rem_minmax(0,1fr)_38rem]`}
      >
        <nav
          aria-label="Servers"
          className="row-span-2 min-h-0 space-y-5 lg:row-span-1 overflow-y-auto border-r border-slate-200 bg-slate-50 p-3 dark:border-slate-800 dark:bg-slate-900/50"
        >
          <section
            aria-labelledby="start-heading"
            className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs dark:border-slate-800 dark:bg-slate-900"
          >
            <h2 id="start-heading" className={`${HEADING} mb-2.5`}>
              New server
            </h2>
            <StartServerForm />
          </section>
          {/* Above the server cards, so "Connect to…" is found without scrolling past every server. */}
          <OutgoingClients />
          <ServerList />
          <ProxySection />
          <UnrestoredServers />
          <WorkspacePanel />
        </nav>
        <main className="flex min-h-0 min-w-0 flex-col bg-white dark:bg-slate-900/20">
          <CaptureBar shownIds={shownIds} />
          <ConnectionsArea shownRef={shownRef} />
          <LessonDock />
        </main>
        <aside className="flex min-h-0 flex-col border-slate-200 bg-white max-lg:border-t lg:border-l dark:border-slate-800 dark:bg-slate-900/40">
          <DetailSlot />
        </aside>
      </div>
      <Toasts />
    </div>
  )
}

function ConnectionsArea({ shownRef }: { shownRef: { current: readonly number[] } }): ReactNode {
  const { ids, total } = useVisibleRowIds()
  useEffect(() => {
    shownRef.current = ids
  }, [ids, shownRef])
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ConnectionsToolbar shown={ids.length} total={total} />
      <ConnectionsTable ids={ids} />
    </div>
  )
}
