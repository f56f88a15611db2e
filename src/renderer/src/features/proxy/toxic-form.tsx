import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { ToxicCondition, ToxicInfo, ToxicStream, ToxicType } from '@shared/proxy-model'
import { TOXIC_TYPES } from '@shared/proxy-model'
import { TOXIC_WORDS, streamWords } from '@shared/toxic-words'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON, INPUT, LABEL } from '@renderer/ui/classes'

/** Props: a new fault for `proxy` (optionally for one pair), or an edit of `editing`. */
export interface ToxicFormProps {
  proxy: string
  editing?: ToxicInfo
  /** Only this pair (a fault chosen from a connection's row). */
  pairId?: number
  onDone: () => void
}

const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v))

/** Add or edit one fault: type, direction, toxicity, its attributes and an optional condition. */
export function ToxicForm({ proxy, editing, pairId, onDone }: ToxicFormProps): ReactNode {
  const { run, error, setError } = useCommand()
  const [type, setType] = useState<ToxicType>(editing?.type ?? 'latency')
  const [stream, setStream] = useState<ToxicStream>(editing?.stream ?? 'downstream')
  const [toxicity, setToxicity] = useState(String(editing?.toxicity ?? 1))
  const [attrs, setAttrs] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(editing?.attributes ?? {}).map(([k, v]) => [k, String(v)]))
  )
  const c = editing?.condition
  const [afterBytes, setAfterBytes] = useState(c?.afterBytes !== undefined ? String(c.afterBytes) : '')
  const [matchKind, setMatchKind] = useState<'text' | 'regex' | 'hex'>(c?.match?.kind ?? 'text')
  const [matchValue, setMatchValue] = useState(c?.match?.value ?? '')
  const [nth, setNth] = useState(c?.nthConnection !== undefined ? String(c.nthConnection) : '')
  const [every, setEvery] = useState(c?.everyNth !== undefined ? String(c.everyNth) : '')
  const words = TOXIC_WORDS[type]

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const attributes: Record<string, number> = {}
    for (const a of words.attributes) {
      const v = num(attrs[a.name] ?? '')
      if (v !== undefined) attributes[a.name] = v
    }
    const condition: ToxicCondition = {}
    if (num(afterBytes) !== undefined) condition.afterBytes = num(afterBytes)
    if (matchValue !== '') condition.match = { kind: matchKind, value: matchValue }
    if (num(nth) !== undefined) condition.nthConnection = num(nth)
    if (num(every) !== undefined) condition.everyNth = num(every)
    const chosen = editing?.condition?.pairId ?? pairId
    if (chosen !== undefined) condition.pairId = chosen
    const hasCondition = Object.keys(condition).length > 0
    const r = editing
      ? await run('toxic:update', {
          proxy,
          name: editing.name,
          toxicity: Number(toxicity),
          attributes,
          condition: hasCondition ? condition : null
        })
      : await run('toxic:add', {
          proxy,
          toxic: {
            type,
            stream,
            toxicity: Number(toxicity),
            attributes,
            ...(pairId !== undefined ? { name: `${type}_${stream}_pair${pairId}` } : {}),
            ...(hasCondition ? { condition } : {})
          }
        })
    if (r.ok) onDone()
  }

  const id = (s: string): string => `toxic-${proxy}-${editing?.name ?? 'new'}-${s}`
  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-label={editing ? `Edit ${editing.name}` : 'Add a fault'}
      className="space-y-2 rounded-md border border-slate-200 p-2 dark:border-slate-800"
      noValidate
    >
      <div className="grid grid-cols-2 gap-2">
        <div>
          <label htmlFor={id('type')} className={LABEL}>
            Fault
          </label>
          <select
            id={id('type')}
            className={INPUT}
            value={type}
            disabled={editing !== undefined}
            onChange={(e) => setType(e.target.value as ToxicType)}
          >
            {TOXIC_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={id('stream')} className={LABEL}>
            Direction
          </label>
          <select
            id={id('stream')}
            className={INPUT}
            value={stream}
            disabled={editing !== undefined}
            onChange={(e) => setStream(e.target.value as ToxicStream)}
          >
            <option value="downstream">downstream ({streamWords('downstream')})</option>
            <option value="upstream">upstream ({streamWords('upstream')})</option>
          </select>
        </div>
      </div>
      <p className="text-[11px] text-slate-500 dark:text-slate-400">{words.does}</p>
      <div className="grid grid-cols-3 gap-2">
        {words.attributes.map((a) => (
          <div key={a.name}>
            <label htmlFor={id(a.name)} className={LABEL} title={a.hint}>
              {a.name} ({a.unit})
            </label>
            <input
              id={id(a.name)}
              className={`${INPUT} font-mono`}
              inputMode="numeric"
              placeholder="0"
              value={attrs[a.name] ?? ''}
              onChange={(e) => setAttrs({ ...attrs, [a.name]: e.target.value })}
            />
          </div>
        ))}
        <div>
          <label
            htmlFor={id('toxicity')}
            className={LABEL}
            title="The chance (0–1) that a connection and direction gets this fault"
          >
            toxicity
          </label>
          <input
            id={id('toxicity')}
            className={`${INPUT} font-mono`}
            inputMode="decimal"
            value={toxicity}
            onChange={(e) => setToxicity(e.target.value)}
          />
        </div>
      </div>
      <details open={c !== undefined}>
        <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-400">Only when… (conditions)</summary>
        <div className="mt-2 grid grid-cols-2 gap-2">
          <div>
            <label htmlFor={id('after')} className={LABEL}>
              after bytes
            </label>
            <input
              id={id('after')}
              className={`${INPUT} font-mono`}
              inputMode="numeric"
              value={afterBytes}
              onChange={(e) => setAfterBytes(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={id('match')} className={LABEL}>
              on a match
            </label>
            <div className="flex gap-1">
              <select
                aria-label="Match kind"
                className={`${INPUT} w-20`}
                value={matchKind}
                onChange={(e) => setMatchKind(e.target.value as 'text' | 'regex' | 'hex')}
              >
                <option value="text">text</option>
                <option value="regex">regex</option>
                <option value="hex">hex</option>
              </select>
              <input
                id={id('match')}
                className={`${INPUT} font-mono`}
                value={matchValue}
                spellCheck={false}
                onChange={(e) => setMatchValue(e.target.value)}
              />
            </div>
          </div>
          <div>
            <label htmlFor={id('nth')} className={LABEL}>
              only connection N
            </label>
            <input
              id={id('nth')}
              className={`${INPUT} font-mono`}
              inputMode="numeric"
              value={nth}
              onChange={(e) => setNth(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={id('every')} className={LABEL}>
              every Nth connection
            </label>
            <input
              id={id('every')}
              className={`${INPUT} font-mono`}
              inputMode="numeric"
              value={every}
              onChange={(e) => setEvery(e.target.value)}
            />
          </div>
        </div>
      </details>
      <p className="text-[11px] text-slate-600 dark:text-slate-300">
        <span className="font-medium">What each side sees:</span> {words.observes}
      </p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <div className="flex gap-2">
        <button type="submit" className={BUTTON.primary}>
          {editing ? 'Save' : 'Add fault'}
        </button>
        <button type="button" className={BUTTON.ghost} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}
