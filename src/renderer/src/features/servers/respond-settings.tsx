import { useState } from 'react'
import type { ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import type { ServerInfo } from '@shared/model'
import type { LabRequest } from '@renderer/transport/transport'
import { BUTTON } from '@renderer/ui/classes'
import { draftToOptions, optionsToDraft } from '@renderer/ui/responders/respond-draft'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'
import { useRespondStats } from '@renderer/store/use-respond-stats'

/** The rules of a running `respond` server, with its live hit counters; Apply sends them with server:configure. */
export function RespondSettings(props: {
  server: ServerInfo
  request?: LabRequest
  onConfigure: (input: CommandInput<'server:configure'>) => Promise<boolean>
}): ReactNode {
  const { server, request, onConfigure } = props
  const [draft, setDraft] = useState(() => optionsToDraft(server.options))
  const stats = useRespondStats(server.id, request)
  const variant = server.protocol === 'udp' ? 'udp' : 'server'
  return (
    <div className="space-y-1.5">
      <RulesEditor value={draft} onChange={setDraft} request={request} stats={stats} variant={variant} />
      <div className="flex items-center gap-2">
        <button
          type="button"
          className={BUTTON.primary}
          onClick={() => void onConfigure({ serverId: server.id, options: draftToOptions(draft, variant) })}
        >
          Apply rules
        </button>
        {stats ? (
          <span className="text-[11px] text-slate-500 dark:text-slate-400">
            {stats.messages} messages, {stats.unmatched} unanswered
            {stats.dropped > 0 ? `, ${stats.dropped} dropped (flood)` : ''}
          </span>
        ) : null}
      </div>
    </div>
  )
}
