import { useId, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { CommandInput, LabError } from '@shared/contract'
import { BEHAVIOURS, UDP_BEHAVIOURS } from '@shared/model'
import type { AcceptMode, Behaviour, ServerProtocol } from '@shared/model'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON, INPUT, LABEL } from '@renderer/ui/classes'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'
import { draftToOptions, exampleDraft } from '@renderer/ui/responders/respond-draft'
import type { RespondDraft } from '@renderer/ui/responders/respond-draft'
import { BEHAVIOUR_INFO } from './behaviour-info'
import type { ServerSettings } from './recent-settings'
import { describeSettings, loadRecent, rememberRecent } from './recent-settings'
import { ProtocolSelect } from './protocol-select'

/** The id of the Host input (the `n` shortcut focuses it). */
export const START_HOST_ID = 'start-host'

const HOST_SUGGESTIONS: [string, string][] = [
  ['127.0.0.1', 'loopback: this machine only'],
  ['0.0.0.0', 'every IPv4 interface'],
  ['::', 'every interface, IPv6 (and usually IPv4)'],
  ['::1', 'IPv6 loopback'],
  ['unix:/tmp/tcp-lab.sock', 'a Unix socket: local, not TCP']
]

interface FormState {
  host: string
  port: string
  behaviour: Behaviour
  telemetryMs: string
  backlog: string
  maxConnections: string
  acceptMode: AcceptMode
  protocol: ServerProtocol
  udpIdleS: string
  poolSize: string
  echoDelayMs: string
  pauseOnAccept: boolean
}

const DEFAULTS: FormState = {
  host: '127.0.0.1',
  port: '8080',
  behaviour: 'echo',
  telemetryMs: '1000',
  backlog: '',
  maxConnections: '',
  acceptMode: 'concurrent',
  protocol: 'tcp',
  udpIdleS: '',
  poolSize: '4',
  echoDelayMs: '',
  pauseOnAccept: false
}

// The select's options stay short (never cut in a narrow sidebar); the line under it explains.
const ACCEPT_MODE_HELP: Record<AcceptMode, string> = {
  concurrent: 'Serves every client at once.',
  'one-at-a-time': 'Serves one client; the others wait in the queue, accepted but unserved.',
  pool: 'K workers: K clients at once, the others wait.',
  never: 'Listens but never calls accept(): the kernel queues the handshakes.'
}

const MODE_WORDS: Record<AcceptMode, string> = {
  concurrent: 'concurrent',
  'one-at-a-time': 'one at a time',
  pool: 'pool',
  never: 'never accept'
}

/** The "More options" that differ from the defaults, in words (shown beside the summary, never hidden). */
export function optionsSummary(
  f: Pick<FormState, 'backlog' | 'maxConnections' | 'acceptMode' | 'poolSize' | 'echoDelayMs' | 'pauseOnAccept'>
): string[] {
  const out: string[] = []
  if (f.backlog.trim() !== '') out.push(`backlog ${f.backlog.trim()}`)
  if (f.maxConnections.trim() !== '') out.push(`max ${f.maxConnections.trim()} connections`)
  if (f.acceptMode === 'pool') out.push(`pool of ${f.poolSize.trim() || DEFAULTS.poolSize}`)
  else if (f.acceptMode !== 'concurrent') out.push(MODE_WORDS[f.acceptMode])
  if (f.echoDelayMs.trim() !== '' && f.echoDelayMs.trim() !== '0') out.push(`echo delay ${f.echoDelayMs.trim()} ms`)
  if (f.pauseOnAccept) out.push('paused at accept')
  return out
}

/** The form that starts a server: Host, Port, Behaviour and more options; the engine's error shown inline. */
export function StartServerForm(): ReactNode {
  const ids = useId()
  const [form, setForm] = useState<FormState>(DEFAULTS)
  const { run, busy, error, setError } = useCommand()
  const [status, setStatus] = useState<string | null>(null)
  const [recent, setRecent] = useState<ServerSettings[]>(() => loadRecent())
  const [rules, setRules] = useState<RespondDraft>(() => exampleDraft())
  const set = (patch: Partial<FormState>): void => setForm((f) => ({ ...f, ...patch }))

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    if (busy) return
    const input = toCommand(form)
    if (!('message' in input) && form.behaviour === 'respond')
      input.options = draftToOptions(rules, form.protocol === 'udp' ? 'udp' : 'server')
    if ('message' in input) {
      setError(input)
      return
    }
    const result = await run('server:start', input)
    if (!result.ok) return
    // The table's scope stays as it was: starting a server never narrows it behind the user's back.
    setRecent(rememberRecent(toSettings(form)))
    // The extras were for that server: the next one starts from the defaults unless asked again.
    const carried = optionsSummary(form)
    setForm((f) => ({
      ...f,
      backlog: DEFAULTS.backlog,
      maxConnections: DEFAULTS.maxConnections,
      acceptMode: DEFAULTS.acceptMode,
      poolSize: DEFAULTS.poolSize,
      echoDelayMs: DEFAULTS.echoDelayMs,
      pauseOnAccept: false
    }))
    setStatus(
      carried.length > 0 ? `Started with ${carried.join(', ')}; More options are back to their defaults.` : null
    )
  }

  const unix = form.host.trim().startsWith('unix:')
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Start a server" className="space-y-2.5" noValidate>
      <div>
        <div>
          <label htmlFor={START_HOST_ID} className={LABEL}>
            Host
          </label>
          <input
            id={START_HOST_ID}
            className={`${INPUT} font-mono text-[13px]`}
            value={form.host}
            list={`${ids}-hosts`}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set({ host: e.target.value })}
          />
          <datalist id={`${ids}-hosts`}>
            {HOST_SUGGESTIONS.map(([v, label]) => (
              <option key={v} value={v} label={label} />
            ))}
          </datalist>
        </div>
      </div>
      {/* Host on its own line, as wide as the form: `unix:/tmp/tcp-lab.sock` and IPv6 addresses show whole. */}
      <ProtocolSelect
        id={`${ids}-protocol`}
        value={form.protocol}
        onChange={(protocol) =>
          set(
            protocol === 'udp' && !UDP_BEHAVIOURS.includes(form.behaviour)
              ? { protocol, behaviour: 'echo' }
              : { protocol }
          )
        }
      />
      <div>
        <div className="grid grid-cols-[4.5rem_minmax(0,1fr)] gap-2">
          <div>
            <label htmlFor={`${ids}-port`} className={LABEL}>
              Port
            </label>
            <input
              id={`${ids}-port`}
              className={`${INPUT} font-mono text-[13px]`}
              value={form.port}
              inputMode="numeric"
              autoComplete="off"
              placeholder={unix ? 'n/a' : '0 = any'}
              disabled={unix}
              onChange={(e) => set({ port: e.target.value })}
            />
          </div>
          <div>
            <label htmlFor={`${ids}-behaviour`} className={LABEL}>
              Behaviour
            </label>
            <select
              id={`${ids}-behaviour`}
              className={INPUT}
              value={form.behaviour}
              aria-describedby={`${ids}-behaviour-info`}
              onChange={(e) => set({ behaviour: e.target.value as Behaviour })}
            >
              {(form.protocol === 'udp' ? UDP_BEHAVIOURS : BEHAVIOURS).map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p id={`${ids}-behaviour-info`} className="mt-1 text-xs leading-snug text-slate-500 dark:text-slate-400">
          {BEHAVIOUR_INFO[form.behaviour]}
        </p>
      </div>
      {form.behaviour === 'telemetry' ? (
        <div>
          <label htmlFor={`${ids}-telemetry`} className={LABEL}>
            Telemetry interval (ms)
          </label>
          <input
            id={`${ids}-telemetry`}
            className={INPUT}
            type="number"
            min={10}
            value={form.telemetryMs}
            onChange={(e) => set({ telemetryMs: e.target.value })}
          />
        </div>
      ) : null}
      {form.behaviour === 'respond' ? (
        <RulesEditor value={rules} onChange={setRules} variant={form.protocol === 'udp' ? 'udp' : 'server'} />
      ) : null}
      <details className="group text-sm">
        <summary className="cursor-pointer text-xs font-medium text-slate-500 select-none hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200">
          More options
          {optionsSummary(form).length > 0 ? (
            <span
              data-testid="options-summary"
              className="ml-1.5 rounded bg-amber-100 px-1 font-normal text-amber-900 dark:bg-amber-900/40 dark:text-amber-200"
            >
              {optionsSummary(form).join(' · ')}
            </span>
          ) : null}
        </summary>
        <div className="mt-2 grid grid-cols-2 gap-2">
          {form.protocol === 'udp' ? (
            <div className="col-span-2">
              <label
                htmlFor={`${ids}-udp-idle`}
                className={LABEL}
                title="A UDP flow has no FIN: it ends after this long without a datagram"
              >
                Flow idle timeout (s)
              </label>
              <input
                id={`${ids}-udp-idle`}
                className={INPUT}
                type="number"
                min={1}
                placeholder="60"
                value={form.udpIdleS}
                onChange={(e) => set({ udpIdleS: e.target.value })}
              />
            </div>
          ) : null}
          <div>
            <label
              htmlFor={`${ids}-backlog`}
              className={LABEL}
              title="listen(backlog): how many finished handshakes the kernel queues before accept()"
            >
              Backlog
            </label>
            <input
              id={`${ids}-backlog`}
              className={INPUT}
              type="number"
              min={1}
              placeholder="511"
              value={form.backlog}
              onChange={(e) => set({ backlog: e.target.value })}
            />
          </div>
          <div>
            <label htmlFor={`${ids}-max`} className={LABEL}>
              Max connections
            </label>
            <input
              id={`${ids}-max`}
              className={INPUT}
              type="number"
              min={1}
              placeholder="no limit"
              value={form.maxConnections}
              onChange={(e) => set({ maxConnections: e.target.value })}
            />
          </div>
          <div className="col-span-2">
            <label htmlFor={`${ids}-accept`} className={LABEL}>
              Accept mode
            </label>
            <select
              id={`${ids}-accept`}
              className={INPUT}
              value={form.acceptMode}
              onChange={(e) => set({ acceptMode: e.target.value as AcceptMode })}
            >
              <option value="concurrent">concurrent</option>
              <option value="one-at-a-time">one at a time</option>
              <option value="pool">pool of K workers</option>
              <option value="never">never accept</option>
            </select>
            <p className="mt-1 text-xs leading-snug text-slate-500 dark:text-slate-400">
              {ACCEPT_MODE_HELP[form.acceptMode]}
            </p>
          </div>
          {form.acceptMode === 'pool' ? (
            <div>
              <label htmlFor={`${ids}-pool`} className={LABEL}>
                Pool size (K)
              </label>
              <input
                id={`${ids}-pool`}
                className={INPUT}
                type="number"
                min={1}
                value={form.poolSize}
                onChange={(e) => set({ poolSize: e.target.value })}
              />
            </div>
          ) : null}
          {form.behaviour === 'echo' ? (
            <div>
              <label
                htmlFor={`${ids}-delay`}
                className={LABEL}
                title="Each chunk goes back this much later: a server that does work per request"
              >
                Echo delay (ms)
              </label>
              <input
                id={`${ids}-delay`}
                className={INPUT}
                type="number"
                min={0}
                placeholder="0"
                value={form.echoDelayMs}
                onChange={(e) => set({ echoDelayMs: e.target.value })}
              />
            </div>
          ) : null}
          <label
            className="col-span-2 flex items-start gap-1.5 text-xs text-slate-600 dark:text-slate-300"
            title="Each new connection starts with reading paused: what the peer sends waits in the kernel's buffers until you click Resume reading"
          >
            <input
              type="checkbox"
              className="mt-0.5"
              checked={form.pauseOnAccept}
              onChange={(e) => set({ pauseOnAccept: e.target.checked })}
            />
            Pause new connections at accept (for the Pause reading experiment)
          </label>
        </div>
      </details>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {status ? (
        <p role="status" className="text-xs text-slate-600 dark:text-slate-300">
          {status}
        </p>
      ) : null}
      <button type="submit" className={`${BUTTON.primary} w-full`} disabled={busy}>
        {busy ? 'Starting…' : 'Start server'}
      </button>
      {recent.length > 0 ? (
        <div className="pt-0.5">
          <p className="mb-1 text-[11px] text-slate-500 dark:text-slate-400">Recently used</p>
          <ul className="flex flex-wrap gap-1">
            {recent.map((r) => (
              <li key={describeSettings(r) + JSON.stringify(r)}>
                <button
                  type="button"
                  title="Fill the form with these settings"
                  onClick={() => {
                    setForm(fromSettings(r))
                    setError(null)
                  }}
                  className="rounded-full border border-slate-300 px-2 py-0.5 font-mono text-[11px] text-slate-600 hover:border-sky-400 hover:text-sky-700 dark:border-slate-700 dark:text-slate-400 dark:hover:border-sky-600 dark:hover:text-sky-300"
                >
                  {describeSettings(r)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  )
}

/** The command for the form, or a local error for the numeric extras the engine only takes as numbers. */
function toCommand(f: FormState): CommandInput<'server:start'> | LabError {
  const host = f.host.trim()
  const input: CommandInput<'server:start'> = { host, behaviour: f.behaviour }
  // The port goes as typed: the engine's schema reads digit strings and words every other mistake.
  if (!host.startsWith('unix:') && f.port.trim() !== '') input.port = f.port
  if (f.behaviour === 'telemetry' && f.telemetryMs.trim() !== '') {
    const ms = Number(f.telemetryMs)
    if (!Number.isInteger(ms))
      return { code: 'invalid', message: 'Telemetry interval must be a whole number of milliseconds' }
    input.options = { telemetryIntervalMs: ms }
  }
  const backlog = optionalInt(f.backlog, 'Backlog')
  if (typeof backlog === 'object') return backlog
  if (backlog !== undefined) input.backlog = backlog
  const max = optionalInt(f.maxConnections, 'Max connections')
  if (typeof max === 'object') return max
  if (max !== undefined) input.maxConnections = max
  if (f.acceptMode !== 'concurrent') input.acceptMode = f.acceptMode
  if (f.pauseOnAccept) input.pauseOnAccept = true
  if (f.protocol !== 'tcp') input.protocol = f.protocol
  if (f.protocol === 'udp') {
    const idle = optionalInt(f.udpIdleS, 'Flow idle timeout')
    if (typeof idle === 'object') return idle
    if (idle !== undefined) input.udpIdleTimeoutMs = idle * 1000
  }
  if (f.acceptMode === 'pool') {
    const k = optionalInt(f.poolSize, 'Pool size')
    if (typeof k === 'object') return k
    if (k !== undefined) input.poolSize = k
  }
  if (f.behaviour === 'echo' && f.echoDelayMs.trim() !== '' && f.echoDelayMs.trim() !== '0') {
    const d = optionalInt(f.echoDelayMs, 'Echo delay')
    if (typeof d === 'object') return d
    if (d !== undefined) input.options = { ...input.options, echoDelayMs: d }
  }
  return input
}

function optionalInt(text: string, what: string): number | undefined | LabError {
  if (text.trim() === '') return undefined
  const n = Number(text)
  return Number.isInteger(n) && n > 0
    ? n
    : { code: 'invalid', message: `${what} must be a whole number above 0, not ${JSON.stringify(text)}` }
}

function toSettings(f: FormState): ServerSettings {
  const s: ServerSettings = { host: f.host.trim(), port: f.port.trim(), behaviour: f.behaviour }
  if (f.behaviour === 'telemetry' && f.telemetryMs) s.telemetryIntervalMs = Number(f.telemetryMs)
  if (f.backlog) s.backlog = Number(f.backlog)
  if (f.maxConnections) s.maxConnections = Number(f.maxConnections)
  if (f.acceptMode !== 'concurrent') s.acceptMode = f.acceptMode
  if (f.pauseOnAccept) s.pauseOnAccept = true
  if (f.protocol !== 'tcp') s.protocol = f.protocol
  return s
}

function fromSettings(s: ServerSettings): FormState {
  return {
    host: s.host,
    port: s.port,
    behaviour: s.behaviour,
    telemetryMs: String(s.telemetryIntervalMs ?? DEFAULTS.telemetryMs),
    backlog: s.backlog ? String(s.backlog) : '',
    maxConnections: s.maxConnections ? String(s.maxConnections) : '',
    acceptMode: s.acceptMode ?? 'concurrent',
    protocol: s.protocol ?? 'tcp',
    udpIdleS: '',
    poolSize: DEFAULTS.poolSize,
    echoDelayMs: '',
    pauseOnAccept: s.pauseOnAccept === true
  }
}
