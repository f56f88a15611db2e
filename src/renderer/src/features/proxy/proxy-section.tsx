import { useMemo, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { ProxyInfo, ToxicInfo, ToxicStream } from '@shared/proxy-model'
import { streamWords, TOXIC_WORDS } from '@shared/toxic-words'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BADGE, BUTTON, HEADING, INPUT, LABEL, TONES } from '@renderer/ui/classes'
import { ToxicForm } from './toxic-form'
import { ProxyResponderEditor } from './proxy-responder-editor'
import { NO_PROXY_TLS, ProxyTlsFields, proxyTlsRequest } from './proxy-tls-fields'
import { ProxyTlsFacts } from './proxy-tls-card'
import { ApiSettings } from './api-settings'

/** The sidebar's proxies: a form to create one, and a card per proxy. */
export function ProxySection(): ReactNode {
  const proxies = useLab((s) => s.proxies)
  const list = useMemo(() => [...proxies.values()].sort((a, b) => a.name.localeCompare(b.name)), [proxies])
  const [open, setOpen] = useState(false)
  return (
    <section aria-labelledby="proxies-heading" className="space-y-2">
      <div className="flex items-center justify-between">
        <h2 id="proxies-heading" className={HEADING}>
          Proxies
        </h2>
        <button type="button" className={BUTTON.ghost} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? 'Cancel' : 'New proxy…'}
        </button>
      </div>
      {open ? <NewProxyForm onDone={() => setOpen(false)} /> : null}
      {list.length === 0 && !open ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Put the lab between two programs: every byte of both legs shows, and faults break the link on purpose.
        </p>
      ) : null}
      <ul className="space-y-2">
        {list.map((p) => (
          <li key={p.name}>
            <ProxyCard proxy={p} />
          </li>
        ))}
      </ul>
      <ApiSettings />
    </section>
  )
}

function NewProxyForm({ onDone }: { onDone: () => void }): ReactNode {
  const { run, error, setError } = useCommand()
  const [name, setName] = useState('redis')
  const [listen, setListen] = useState('127.0.0.1:0')
  const [upstream, setUpstream] = useState('127.0.0.1:6379')
  const [onFail, setOnFail] = useState<'close' | 'reset'>('close')
  const [tls, setTls] = useState(NO_PROXY_TLS)
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const r = await run('proxy:create', {
      name: name.trim(),
      listen: listen.trim(),
      upstream: upstream.trim(),
      onUpstreamFailure: onFail,
      ...proxyTlsRequest(tls)
    })
    if (r.ok) onDone()
  }
  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-label="New proxy"
      className="space-y-2 rounded-lg border border-slate-200 p-2.5 dark:border-slate-800"
      noValidate
    >
      <div>
        <label htmlFor="proxy-name" className={LABEL}>
          Name
        </label>
        <input
          id="proxy-name"
          className={`${INPUT} font-mono`}
          value={name}
          spellCheck={false}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div>
        <label
          htmlFor="proxy-listen"
          className={LABEL}
          title="HOST:PORT, [IPV6]:PORT or unix:PATH; port 0 picks a free one; tls:HOST:PORT terminates TLS"
        >
          Listen on
        </label>
        <input
          id="proxy-listen"
          className={`${INPUT} font-mono`}
          value={listen}
          spellCheck={false}
          onChange={(e) => setListen(e.target.value)}
        />
      </div>
      <div>
        <label
          htmlFor="proxy-upstream"
          className={LABEL}
          title="HOST:PORT or unix:PATH: the real server (a lab server too); tls:HOST:PORT opens TLS to it"
        >
          Upstream (the real server)
        </label>
        <input
          id="proxy-upstream"
          className={`${INPUT} font-mono`}
          value={upstream}
          spellCheck={false}
          onChange={(e) => setUpstream(e.target.value)}
        />
      </div>
      <div>
        <label htmlFor="proxy-onfail" className={LABEL}>
          If the upstream cannot be reached
        </label>
        <select
          id="proxy-onfail"
          className={INPUT}
          value={onFail}
          onChange={(e) => setOnFail(e.target.value as 'close' | 'reset')}
        >
          <option value="close">close the client (FIN)</option>
          <option value="reset">reset the client (RST)</option>
        </select>
      </div>
      <ProxyTlsFields value={tls} onChange={setTls} />
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <button type="submit" className={`${BUTTON.primary} w-full`}>
        Start proxy
      </button>
    </form>
  )
}

/** One proxy: its addresses, enable/disable, upstream change, delete, and its faults per direction. */
export function ProxyCard({ proxy }: { proxy: ProxyInfo }): ReactNode {
  const { run, error, setError } = useCommand()
  const [adding, setAdding] = useState(false)
  const [editing, setEditing] = useState<string | null>(null)
  const [upstreamDraft, setUpstreamDraft] = useState<string | null>(null)
  const [responding, setResponding] = useState<ToxicStream | null>(null)
  const toggle = async (): Promise<boolean> =>
    (await run('proxy:update', { name: proxy.name, enabled: !proxy.enabled })).ok
  const remove = async (): Promise<boolean> => (await run('proxy:delete', { name: proxy.name })).ok
  const saveUpstream = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    if (upstreamDraft !== null && (await run('proxy:update', { name: proxy.name, upstream: upstreamDraft.trim() })).ok)
      setUpstreamDraft(null)
  }
  const removeToxic = async (t: ToxicInfo): Promise<boolean> =>
    (await run('toxic:remove', { proxy: proxy.name, name: t.name })).ok

  return (
    <article
      aria-label={`Proxy ${proxy.name}`}
      className="space-y-1.5 rounded-lg border border-slate-200 bg-white p-2.5 text-xs shadow-xs dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-mono text-sm font-medium">{proxy.name}</span>
        <span className={`${BADGE} ${proxy.enabled ? TONES.green : TONES.grey}`}>
          {proxy.enabled ? 'enabled' : 'disabled'}
        </span>
      </div>
      <p className="font-mono break-all text-slate-600 dark:text-slate-300" title="client ↔ lab ↔ upstream">
        {proxy.listen} → {proxy.upstream}
      </p>
      <p className="text-slate-500 dark:text-slate-400">
        <PairCount name={proxy.name} /> · if the upstream fails, the client gets{' '}
        {proxy.onUpstreamFailure === 'reset' ? 'RST' : 'FIN'}
      </p>
      <ProxyTlsFacts proxy={proxy} />
      {upstreamDraft !== null ? (
        <form onSubmit={(e) => void saveUpstream(e)} className="flex gap-1" aria-label="Change upstream">
          <input
            aria-label="New upstream"
            className={`${INPUT} font-mono`}
            value={upstreamDraft}
            onChange={(e) => setUpstreamDraft(e.target.value)}
          />
          <button type="submit" className={BUTTON.secondary}>
            Save
          </button>
        </form>
      ) : null}
      <div className="flex flex-wrap gap-1">
        <button type="button" className={BUTTON.secondary} onClick={() => void toggle()}>
          {proxy.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={() => setUpstreamDraft(upstreamDraft === null ? proxy.upstream : null)}
        >
          Upstream…
        </button>
        <button type="button" className={BUTTON.secondary} onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          Add fault
        </button>
        <button type="button" className={BUTTON.danger} onClick={() => void remove()}>
          Delete
        </button>
      </div>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {adding ? <ToxicForm proxy={proxy.name} onDone={() => setAdding(false)} /> : null}
      <div className="flex flex-wrap items-center gap-1" aria-label="Respond by rule">
        <span className="text-slate-500 dark:text-slate-400">Respond by rule:</span>
        {(['upstream', 'downstream'] as const).map((stream) => {
          const r = proxy.responders?.[stream]
          return (
            <button
              key={stream}
              type="button"
              className={BUTTON.secondary}
              aria-expanded={responding === stream}
              onClick={() => setResponding(responding === stream ? null : stream)}
            >
              {streamWords(stream)}
              {r ? ` · ${r.rules.length} ${r.rules.length === 1 ? 'rule' : 'rules'}` : ''}
            </button>
          )
        })}
      </div>
      {responding ? (
        <ProxyResponderEditor key={responding} proxy={proxy} stream={responding} onDone={() => setResponding(null)} />
      ) : null}
      {(['upstream', 'downstream'] as const).map((stream) => {
        const toxics = proxy.toxics.filter((t) => t.stream === stream)
        if (toxics.length === 0) return null
        return (
          <div key={stream} className="space-y-1">
            <p className={HEADING}>
              {stream} · {streamWords(stream)}
            </p>
            <ul className="space-y-1">
              {toxics.map((t) =>
                editing === t.name ? (
                  <li key={t.name}>
                    <ToxicForm proxy={proxy.name} editing={t} onDone={() => setEditing(null)} />
                  </li>
                ) : (
                  <li
                    key={t.name}
                    className="rounded border border-amber-200 bg-amber-50/60 px-1.5 py-1 dark:border-amber-900/60 dark:bg-amber-950/30"
                  >
                    <div className="flex items-center justify-between gap-1">
                      <span className="truncate font-mono" title={TOXIC_WORDS[t.type].does}>
                        {describeToxic(t)}
                      </span>
                      <span className="flex shrink-0 gap-0.5">
                        <button
                          type="button"
                          className={BUTTON.ghost}
                          aria-label={`Edit ${t.name}`}
                          onClick={() => setEditing(t.name)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className={BUTTON.ghost}
                          aria-label={`Remove ${t.name}`}
                          onClick={() => void removeToxic(t)}
                        >
                          ×
                        </button>
                      </span>
                    </div>
                    <p className="text-[11px] text-slate-600 dark:text-slate-300">{TOXIC_WORDS[t.type].observes}</p>
                  </li>
                )
              )}
            </ul>
          </div>
        )
      })}
    </article>
  )
}

/** Open pairs of a proxy, counted from the rows (proxy events carry settings, not traffic). */
function PairCount({ name }: { name: string }): ReactNode {
  // Membership and states, not counters: a flood does not re-run this.
  const version = useLab((s) => s.membersVersion)
  const store = useLabStore()
  const open = useMemo(() => {
    let n = 0
    for (const c of store.getState().connections.values())
      if (c.proxy?.proxyName === name && c.proxy.leg === 'client' && c.state !== 'closed') n++
    return n
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` says when rows changed; the map is updated in place
  }, [name, version, store])
  return (
    <span>
      {open} open {open === 1 ? 'pair' : 'pairs'}
    </span>
  )
}

/** `latency 200 ms ±10 · 50 % · after 10 B` in one line. */
export function describeToxic(t: ToxicInfo): string {
  const w = TOXIC_WORDS[t.type]
  const attrs = w.attributes
    .map((a) => `${a.name} ${t.attributes[a.name] ?? 0}${a.unit === 'bytes' ? ' B' : ` ${a.unit}`}`)
    .join(', ')
  const parts = [`${t.name}: ${attrs}`]
  if (t.toxicity < 1) parts.push(`${Math.round(t.toxicity * 100)} %`)
  const c = t.condition
  if (c?.afterBytes) parts.push(`after ${c.afterBytes} B`)
  if (c?.match) parts.push(`on ${c.match.kind} ${JSON.stringify(c.match.value)}`)
  if (c?.nthConnection) parts.push(`connection #${c.nthConnection} only`)
  if (c?.everyNth) parts.push(`every ${c.everyNth}th`)
  if (c?.pairId !== undefined) parts.push(`pair ${c.pairId} only`)
  return parts.join(' · ')
}
