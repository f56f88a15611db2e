import type { ReactNode } from 'react'
import type { CommandValue } from '@shared/contract'
import type { LabRequest } from '@renderer/transport/transport'
import { BUTTON, INPUT, LABEL } from '@renderer/ui/classes'
import { FramingPicker } from './framing-picker'
import type { MatchKind, RespondDraft, RespondVariant, RuleDraft } from './respond-draft'
import { MATCH_KINDS, moveRule, newRule } from './respond-draft'
import { SampleTester } from './sample-tester'

const SMALL = `${INPUT} py-0.5 text-xs`
const ICON = 'rounded px-1 text-xs text-slate-500 hover:bg-slate-200 disabled:opacity-30 dark:hover:bg-slate-700'

/** Props of the rules editor. */
export interface RulesEditorProps {
  value: RespondDraft
  onChange: (d: RespondDraft) => void
  /** Only tests pass one; otherwise the tree's lab runs the commands. */
  request?: LabRequest
  /** Live hit counters of the running server, when editing one. */
  stats?: CommandValue<'respond:stats'> | null
  /** Hits per rule from elsewhere (a proxy direction), when there are no server stats. */
  hits?: readonly number[] | null
  /** What runs the rules: a stream server (default), a UDP server (a datagram is a message), a proxy direction. */
  variant?: RespondVariant
}

/** The rules of a `respond` server: framing, greeting, ordered rules, fallback, a sample tester and live hits. */
export function RulesEditor(props: RulesEditorProps): ReactNode {
  const { value: d, onChange, request, stats, variant = 'server' } = props
  const hits = stats?.hits ?? props.hits ?? null
  const set = (patch: Partial<RespondDraft>): void => onChange({ ...d, ...patch })
  const setRule = (k: number, patch: Partial<RuleDraft>): void =>
    set({ rules: d.rules.map((r, i) => (i === k ? { ...r, ...patch } : r)) })
  return (
    <div className="space-y-2 text-xs" aria-label="Responder rules" role="group">
      <div className="space-y-1">
        {variant === 'udp' ? (
          <p className="text-slate-500 dark:text-slate-400">
            Each datagram is one message; each reply is one datagram.
          </p>
        ) : (
          <label className="block text-slate-500 dark:text-slate-400">
            Framing
            <FramingPicker value={d.framing} onChange={(framing) => set({ framing })} label="Responder framing" />
          </label>
        )}
        {variant === 'server' ? (
          <>
            <label className="block text-slate-500 dark:text-slate-400" htmlFor="respond-greeting">
              Greeting
            </label>
            <input
              id="respond-greeting"
              className={`${SMALL} font-mono`}
              placeholder="(none) sent on connect"
              value={d.greeting}
              onChange={(e) => set({ greeting: e.target.value })}
            />
          </>
        ) : null}
      </div>
      <ol className="space-y-1.5">
        {d.rules.map((r, k) => (
          <li
            key={r.key}
            aria-label={`Rule ${k + 1}`}
            className="rounded border border-slate-200 p-1.5 dark:border-slate-700"
          >
            <div className="flex items-center gap-1">
              <span className="w-5 shrink-0 font-mono text-slate-500">{k + 1}</span>
              <select
                aria-label={`Rule ${k + 1} match`}
                className={`${SMALL} min-w-0 flex-1`}
                value={r.kind}
                onChange={(e) => setRule(k, { kind: e.target.value as MatchKind })}
              >
                {MATCH_KINDS.map((m) => (
                  <option key={m} value={m}>
                    {m === 'prefix' ? 'starts with' : m}
                  </option>
                ))}
              </select>
              {hits ? (
                <span
                  title={variant === 'proxy' ? 'Hits on this direction, over all pairs' : 'Hits on the running server'}
                  className="shrink-0 rounded bg-slate-200 px-1 font-mono tabular-nums dark:bg-slate-700"
                  aria-label={`Rule ${k + 1} hits`}
                >
                  {hits[k] ?? 0}
                </span>
              ) : null}
              <button
                type="button"
                className={ICON}
                aria-label={`Move rule ${k + 1} up`}
                disabled={k === 0}
                onClick={() => set({ rules: moveRule(d.rules, k, -1) })}
              >
                ↑
              </button>
              <button
                type="button"
                className={ICON}
                aria-label={`Move rule ${k + 1} down`}
                disabled={k === d.rules.length - 1}
                onClick={() => set({ rules: moveRule(d.rules, k, 1) })}
              >
                ↓
              </button>
              <button
                type="button"
                className={ICON}
                aria-label={`Remove rule ${k + 1}`}
                onClick={() => set({ rules: d.rules.filter((_, i) => i !== k) })}
              >
                ×
              </button>
            </div>
            <div className="mt-1 space-y-1 pl-6">
              {r.kind !== 'any' ? (
                <input
                  aria-label={`Rule ${k + 1} ${r.kind}`}
                  className={`${SMALL} font-mono`}
                  spellCheck={false}
                  placeholder={r.kind === 'hex' ? '01 02' : r.kind === 'regex' ? '^GET (\\S+)' : 'text'}
                  value={r.value}
                  onChange={(e) => setRule(k, { value: e.target.value })}
                />
              ) : (
                <p className="text-slate-500">every message</p>
              )}
              <input
                aria-label={`Rule ${k + 1} reply`}
                className={`${SMALL} font-mono`}
                spellCheck={false}
                placeholder="reply: $1 {{counter}} \r\n"
                value={r.reply}
                onChange={(e) => setRule(k, { reply: e.target.value })}
              />
            </div>
            {variant === 'proxy' ? (
              <div className="mt-1 pl-6">
                <select
                  aria-label={`Rule ${k + 1} action`}
                  title="answer back: reply to the sender, the message is not forwarded; replace: forward the reply instead"
                  className={SMALL}
                  value={r.action ?? 'answer'}
                  onChange={(e) => setRule(k, { action: e.target.value as 'answer' | 'replace' })}
                >
                  <option value="answer">answer back</option>
                  <option value="replace">replace, forward</option>
                </select>
              </div>
            ) : null}
            <div className="mt-1 grid grid-cols-2 gap-1 pl-6">
              <input
                aria-label={`Rule ${k + 1} delay (ms)`}
                className={SMALL}
                inputMode="numeric"
                placeholder="delay ms"
                value={r.delayMs}
                onChange={(e) => setRule(k, { delayMs: e.target.value })}
              />
              <select
                aria-label={`Rule ${k + 1} then`}
                className={SMALL}
                value={r.then}
                onChange={(e) => setRule(k, { then: e.target.value as RuleDraft['then'] })}
              >
                <option value="">then: stay</option>
                {variant !== 'udp' ? <option value="half-close">half-close</option> : null}
                <option value="close">{variant === 'udp' ? 'close (forget the flow)' : 'close'}</option>
                {variant !== 'udp' ? <option value="reset">reset</option> : null}
              </select>
            </div>
          </li>
        ))}
      </ol>
      <button type="button" className={BUTTON.secondary} onClick={() => set({ rules: [...d.rules, newRule()] })}>
        Add rule
      </button>
      {variant === 'proxy' ? (
        <p className="text-[11px] text-slate-500 dark:text-slate-400">
          Messages no rule matches, and every other byte, are forwarded unchanged and in order.
        </p>
      ) : (
        <div className="space-y-1">
          <div className="flex items-center gap-1 text-slate-500 dark:text-slate-400">
            <label className="flex flex-1 items-center gap-1">
              <input type="checkbox" checked={d.hasFallback} onChange={(e) => set({ hasFallback: e.target.checked })} />
              Fallback when no rule matches
            </label>
            {stats ? (
              <span
                className="rounded bg-slate-200 px-1 font-mono tabular-nums dark:bg-slate-700"
                aria-label="Fallback hits"
                title="Fallback hits"
              >
                {stats.fallback}
              </span>
            ) : null}
          </div>
          <input
            aria-label="Fallback reply"
            className={`${SMALL} font-mono`}
            disabled={!d.hasFallback}
            placeholder="reply: ? $0\r\n"
            value={d.fallback}
            onChange={(e) => set({ fallback: e.target.value })}
          />
        </div>
      )}
      <p className="text-[11px] leading-snug text-slate-500 dark:text-slate-400">
        Replies are templates: <code>$1</code>… regex groups, <code>$0</code> the match, <code>{'{{counter}}'}</code>{' '}
        this rule’s hits on the connection, <code>{'{{hits}}'}</code> on the server, <code>{'{{time}}'}</code>,{' '}
        <code>{'{{peer}}'}</code>, escapes <code>\r\n</code> <code>\xNN</code>.
      </p>
      <div>
        <p className={LABEL}>Test a sample message</p>
        <SampleTester draft={d} request={request} variant={variant} />
      </div>
    </div>
  )
}
