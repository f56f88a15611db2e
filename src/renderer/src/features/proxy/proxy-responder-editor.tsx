import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { ProxyInfo, ToxicStream } from '@shared/proxy-model'
import { streamWords } from '@shared/toxic-words'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON } from '@renderer/ui/classes'
import { draftToProxyResponder, proxyResponderToDraft } from '@renderer/ui/responders/respond-draft'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'

/** How often an open editor fetches its direction's hit counters. */
export const PROXY_HITS_POLL_MS = 1_000

/** A proxy direction's live hits per rule, polled from `proxy:list` while shown (proxy events carry settings only). */
function useDirectionHits(
  proxy: string,
  stream: ToxicStream,
  request?: LabRequest,
  pollMs = PROXY_HITS_POLL_MS
): { hits: number[]; messages: number; unmatched: number } | null {
  const [stats, setStats] = useState<{ hits: number[]; messages: number; unmatched: number } | null>(null)
  const { run } = useCommand(request, { trackBusy: false })
  const runRef = useRef(run)
  runRef.current = run
  useEffect(() => {
    let cancelled = false
    const tick = async (): Promise<void> => {
      const r = await runRef.current('proxy:list', {})
      if (cancelled || !r.ok) return
      setStats(r.value.proxies.find((p) => p.name === proxy)?.responders?.[stream]?.stats ?? null)
    }
    void tick()
    const t = setInterval(() => void tick(), pollMs)
    return () => {
      cancelled = true
      clearInterval(t)
    }
  }, [proxy, stream, pollMs])
  return stats
}

/**
 * "Respond by rule" on one direction of a proxy: framing and ordered rules, each answering a matched message back
 * to its sender or replacing it with the reply; Apply sends them with `proxy:respond` (open pairs too), Clear
 * removes them. Live hits per rule over all the proxy's pairs.
 */
export function ProxyResponderEditor(props: {
  proxy: ProxyInfo
  stream: ToxicStream
  onDone: () => void
  /** Only tests pass one; otherwise the tree's lab runs the commands. */
  request?: LabRequest
}): ReactNode {
  const { proxy, stream, onDone, request } = props
  const current = proxy.responders?.[stream]
  const [draft, setDraft] = useState(() => proxyResponderToDraft(current))
  const { run, error, setError } = useCommand(request)
  const stats = useDirectionHits(proxy.name, stream, request)
  const apply = async (): Promise<void> => {
    await run('proxy:respond', { proxy: proxy.name, stream, responder: draftToProxyResponder(draft) })
  }
  const clear = async (): Promise<void> => {
    if ((await run('proxy:respond', { proxy: proxy.name, stream, responder: null })).ok) onDone()
  }
  return (
    <div
      role="group"
      aria-label={`Respond by rule, ${stream}`}
      className="space-y-1.5 rounded border border-sky-200 p-1.5 dark:border-sky-900/60"
    >
      <p className="font-medium">
        Respond by rule · {stream} ({streamWords(stream)})
      </p>
      <RulesEditor
        value={draft}
        onChange={setDraft}
        request={request}
        variant="proxy"
        hits={current ? (stats?.hits ?? current.stats.hits) : null}
      />
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <div className="flex flex-wrap items-center gap-1">
        <button type="button" className={BUTTON.primary} onClick={() => void apply()}>
          Apply rules
        </button>
        {current ? (
          <button type="button" className={BUTTON.secondary} onClick={() => void clear()}>
            Clear
          </button>
        ) : null}
        <button type="button" className={BUTTON.ghost} onClick={onDone}>
          Close
        </button>
        {current && stats ? (
          <span className="text-[11px] text-slate-500 dark:text-slate-400">
            {stats.messages} messages, {stats.unmatched} passed on
          </span>
        ) : null}
      </div>
    </div>
  )
}
