import { useCallback, useMemo } from 'react'
import type { ReactNode } from 'react'
import { useLab } from '@renderer/store/use-lab'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { HEADING } from '@renderer/ui/classes'
import { ServerCard } from './server-card'

/** Every running server as a card, newest first; clicking one shows its connections. */
export function ServerList(): ReactNode {
  const servers = useLab((s) => s.servers)
  const selected = useUi((s) => s.selectedServerId)
  const ui = useUiStore()
  const list = useMemo(() => [...servers.values()].sort((a, b) => b.id - a.id), [servers])
  const onSelect = useCallback(
    (id: number) =>
      ui.set((s) => ({
        selectedServerId: s.selectedServerId === id ? s.selectedServerId : id,
        outgoingSelected: false
      })),
    [ui]
  )
  return (
    <section aria-labelledby="servers-heading" className="space-y-2">
      <h2 id="servers-heading" className={`${HEADING} flex items-center justify-between`}>
        <span>Servers</span>
        <span className="font-mono normal-case tracking-normal">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-3 py-4 text-center text-xs leading-relaxed text-slate-500 dark:border-slate-700 dark:text-slate-400">
          No server yet. Start one above, then connect to it from a terminal with the command it shows.
        </p>
      ) : (
        list.map((s) => <ServerCard key={s.id} server={s} selected={s.id === selected} onSelect={onSelect} />)
      )}
    </section>
  )
}
