import { useState } from 'react'
import type { ReactNode } from 'react'
import type { CommandValue, LabError } from '@shared/contract'
import { escapedText } from '@shared/byte-format'
import { base64ToBytes } from '@shared/payload-codec'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON, INPUT } from '@renderer/ui/classes'
import type { RespondDraft, RespondVariant } from './respond-draft'
import { draftToTestOptions } from './respond-draft'

/** Which rule each message of a sample fires and what it would reply; nothing is sent. */
export function SampleTester({
  draft,
  request,
  variant = 'server'
}: {
  draft: RespondDraft
  request?: LabRequest
  variant?: RespondVariant
}): ReactNode {
  const { run } = useCommand(request, { trackBusy: false })
  const [sample, setSample] = useState('PING\\r\\n')
  const [result, setResult] = useState<CommandValue<'respond:test'> | null>(null)
  const [error, setError] = useState<LabError | null>(null)
  const test = async (): Promise<void> => {
    const r = await run('respond:test', {
      options: draftToTestOptions(draft, variant),
      sample: { format: 'escapes', text: sample, lineEnding: 'none' }
    })
    if (r.ok) {
      setResult(r.value)
      setError(null)
    } else {
      setResult(null)
      setError(r.error)
    }
  }
  return (
    <div className="space-y-1.5">
      <div className="flex gap-1.5">
        <input
          aria-label="Sample message (escapes like \r\n allowed)"
          className={`${INPUT} py-1 font-mono text-xs`}
          value={sample}
          spellCheck={false}
          onChange={(e) => setSample(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              void test()
            }
          }}
        />
        <button type="button" className={BUTTON.secondary} onClick={() => void test()}>
          Test
        </button>
      </div>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {result ? (
        <ul aria-label="Test result" className="space-y-0.5 font-mono text-[11px]">
          {result.messages.map((m) => (
            <li key={m.start}>
              <span className="text-slate-500">
                {m.start}–{m.end}
              </span>{' '}
              {m.rule >= 0 ? `rule ${m.rule + 1}` : m.fallback ? 'fallback' : 'no rule'}
              {variant === 'proxy' && m.rule >= 0
                ? ` (${draft.rules[m.rule]?.action === 'replace' ? 'replace' : 'answer'})`
                : ''}
              {m.reply !== null
                ? ` → "${escapedText(base64ToBytes(m.reply))}"`
                : variant === 'proxy'
                  ? ' → forwarded unchanged'
                  : ' → (no reply)'}
              {m.delayMs > 0 ? ` after ${m.delayMs} ms` : ''}
              {m.then ? `, then ${m.then}` : ''}
            </li>
          ))}
          {result.messages.length === 0 ? (
            <li>
              No complete message in the sample (framing {JSON.stringify(variant === 'udp' ? 'raw' : draft.framing)}).
            </li>
          ) : null}
          {result.pending ? (
            <li className="text-amber-700 dark:text-amber-300">
              Incomplete message from byte {result.pending.start} ({result.pending.size} bytes)
            </li>
          ) : null}
          {result.broken ? (
            <li className="text-red-700 dark:text-red-300">
              Framing broke at byte {result.broken.at}: {result.broken.reason}
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  )
}
