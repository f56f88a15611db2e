import type { ReactNode } from 'react'
import type { ConnectionInfo } from '@shared/model'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { useLab } from '@renderer/store/use-lab'

/** In a row's first cell: ▸/▾ expands a proxied pair (client ↔ lab ↔ upstream); ↳ marks its upstream leg. */
export function PairMark({ c }: { c: ConnectionInfo }): ReactNode {
  const ui = useUiStore()
  const pairId = c.proxy?.pairId
  const expanded = useUi((s) => (pairId === undefined ? false : s.expandedPairs.has(pairId)))
  if (!c.proxy || pairId === undefined) return null
  if (c.proxy.leg === 'upstream') {
    return (
      <span
        className="mr-0.5 text-violet-500"
        title={`upstream leg of pair ${pairId} (proxy ${c.proxy.proxyName}): lab → server`}
      >
        ↳
      </span>
    )
  }
  const toggle = (): void => {
    const next = new Set(ui.get().expandedPairs)
    if (next.has(pairId)) next.delete(pairId)
    else next.add(pairId)
    ui.set({ expandedPairs: next })
  }
  return (
    <button
      type="button"
      className="mr-0.5 rounded px-0.5 text-violet-600 hover:bg-violet-100 dark:text-violet-300 dark:hover:bg-violet-900/40"
      aria-expanded={expanded}
      aria-label={`${expanded ? 'Hide' : 'Show'} both legs of pair ${pairId} (proxy ${c.proxy.proxyName})`}
      title={`proxy ${c.proxy.proxyName}: client ↔ lab ↔ upstream`}
      onClick={(e) => {
        e.stopPropagation()
        toggle()
      }}
    >
      {expanded ? '▾' : '▸'}
    </button>
  )
}

/**
 * On a proxied pair's client row: whether the lab opens TLS to the upstream (the upstream leg's own row, when the
 * pair is expanded, carries its TLS tag and handshake like any TLS connection).
 */
export function PairUpstreamTls({ c }: { c: ConnectionInfo }): ReactNode {
  const name = c.proxy?.leg === 'client' ? c.proxy.proxyName : undefined
  const up = useLab((s) => (name === undefined ? undefined : s.proxies.get(name)?.upstreamTls))
  if (!up) return null
  return (
    <span
      data-kind="upstream-tls"
      title={`The lab opens TLS to the upstream${up.verify ? ' (certificate verified)' : ' (verification off)'}: this pair's upstream leg is TLS`}
      className="shrink-0 rounded-sm bg-violet-100 px-0.5 font-sans text-[9.5px] text-violet-700 uppercase dark:bg-violet-900/40 dark:text-violet-300"
    >
      →tls
    </span>
  )
}
