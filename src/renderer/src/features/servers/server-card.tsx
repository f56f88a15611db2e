import { Fragment, memo, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import { BEHAVIOURS, UDP_BEHAVIOURS } from '@shared/model'
import type { Behaviour, ServerCounters, ServerInfo } from '@shared/model'
import { formatBytes, formatExactBytes, formatRate } from '@shared/byte-format'
import { serverAddress } from '@renderer/store/describe'
import type { Rate } from '@renderer/store/rate-history'
import { ZERO_RATE } from '@renderer/store/rate-history'
import { useLab } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import { Sparkline } from '@renderer/ui/charts/sparkline'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BADGE, BUTTON, INPUT, TONES } from '@renderer/ui/classes'
import { BEHAVIOUR_INFO } from './behaviour-info'
import { CopyButton } from '@renderer/ui/copy-button'
import { peerCommands } from './server-snippets'
import { ServerSettingsPanel } from './server-settings-panel'
import { CertificateFacts } from './certificate-facts'
import { transportCommands } from './udp-tls-commands'

/** Props of a server card. */
export interface ServerCardProps {
  server: ServerInfo
  selected: boolean
  onSelect: (id: number) => void
}

const NO_COUNTERS = (id: number): ServerCounters => ({ id, bytesIn: 0, bytesOut: 0, accepted: 0, open: 0 })

/** One listening server: address, state, counts, live rate, ready-made client commands and actions. */
export const ServerCard = memo(function ServerCard({ server, selected, onSelect }: ServerCardProps): ReactNode {
  const counters = useLab((s) => s.serverCounters.get(server.id)) ?? NO_COUNTERS(server.id)
  const rate: Rate = useLab((s) => s.serverRates.get(server.id)) ?? ZERO_RATE
  const { run: runCommand, error, setError } = useCommand()
  const [settingsOpen, setSettingsOpen] = useState(false)
  const address = serverAddress(server)
  const listening = server.state === 'listening'
  const stale = useLab((s) => s.link === 'down' && s.snapshots > 0)

  const run = async <C extends 'server:stop' | 'server:close-all' | 'server:configure'>(
    name: C,
    input: CommandInput<C>
  ): Promise<boolean> => {
    return (await runCommand(name, input)).ok
  }

  return (
    <article
      aria-label={`Server ${address}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(server.id)}
      className={`group cursor-pointer rounded-lg border p-3 text-sm transition-colors ${
        selected
          ? 'border-sky-500 bg-sky-50/70 ring-1 ring-sky-500/40 dark:border-sky-600 dark:bg-sky-950/30'
          : 'border-slate-200 bg-white hover:border-slate-300 dark:border-slate-800 dark:bg-slate-900/60 dark:hover:border-slate-700'
      }`}
    >
      <header className="flex items-start gap-2">
        <button
          type="button"
          onClick={(e) => {
            e.stopPropagation()
            onSelect(server.id)
          }}
          className="min-w-0 flex-1 text-left font-mono text-[13px] font-semibold [overflow-wrap:anywhere] text-slate-900 hover:text-sky-700 dark:text-slate-50 dark:hover:text-sky-300"
          title="Show this server's connections"
        >
          {address}
        </button>
      </header>
      <div className="mt-1 flex flex-wrap items-center gap-1">
        {stale ? (
          <span className={`${BADGE} ${TONES.grey}`} title="The lab is not reachable: this is the last known state">
            unknown (lab not reachable)
          </span>
        ) : (
          <span className={`${BADGE} ${listening ? TONES.green : TONES.amber}`}>
            {listening ? 'listening' : 'not accepting'}
          </span>
        )}
        <span className={`${BADGE} ${TONES.grey}`}>{server.family}</span>
        {server.protocol === 'udp' || server.protocol === 'tls' ? (
          <span className={`${BADGE} ${TONES.violet}`}>{server.protocol.toUpperCase()}</span>
        ) : null}
        {server.acceptMode === 'one-at-a-time' ? (
          <span className={`${BADGE} ${TONES.violet}`}>one at a time</span>
        ) : null}
        {server.acceptMode === 'pool' ? (
          <span className={`${BADGE} ${TONES.violet}`}>pool of {server.poolSize ?? '?'}</span>
        ) : null}
        {server.acceptMode === 'never' ? (
          <span
            className={`${BADGE} ${TONES.violet}`}
            title={`The listening socket is held by helper pid ${server.holderPid ?? '?'}, which never calls accept()`}
          >
            not accepting: clients wait in the kernel queue
          </span>
        ) : null}
        {server.maxConnections !== null ? (
          <span className={`${BADGE} ${TONES.grey}`}>max {server.maxConnections}</span>
        ) : null}
        {server.pauseOnAccept ? (
          <span className={`${BADGE} ${TONES.amber}`} title="Each new connection starts with reading paused">
            paused at accept
          </span>
        ) : null}
      </div>

      {/* Two columns: `1023.9 MiB` and `1023.9 MiB/s` fit whole in the narrowest sidebar. */}
      <dl className="mt-2 grid grid-cols-2 gap-x-2 gap-y-1 text-xs">
        <Stat label="Open" value={String(counters.open)} />
        <Stat label={server.protocol === 'udp' ? 'Flows' : 'Accepted'} value={String(counters.accepted)} />
        <Stat
          label="Rate"
          value={formatRate(rate.in + rate.out)}
          title={`in ${formatRate(rate.in)}, out ${formatRate(rate.out)}`}
        />
        <Stat label="In" value={formatBytes(counters.bytesIn)} title={formatExactBytes(counters.bytesIn)} />
        <Stat label="Out" value={formatBytes(counters.bytesOut)} title={formatExactBytes(counters.bytesOut)} />
        <Stat
          label="Sockets"
          value={
            server.protocol === 'udp'
              ? listening
                ? '1'
                : '0'
              : listening
                ? `1 + ${counters.open}`
                : `0 + ${counters.open}`
          }
          title={
            server.protocol === 'udp'
              ? 'UDP: one socket serves every flow (no listening socket, no connected sockets)'
              : `N+1: ${listening ? 'one listening socket' : 'no listening socket (not accepting)'} plus ${counters.open} connected socket${counters.open === 1 ? '' : 's'}, one per client`
          }
        />
      </dl>

      <ServerSparkline id={server.id} />

      <div className="mt-2 flex items-center gap-2" onClick={(e) => e.stopPropagation()}>
        <label htmlFor={`acts-as-${server.id}`} className="shrink-0 text-xs text-slate-500 dark:text-slate-400">
          Acts as
        </label>
        <select
          id={`acts-as-${server.id}`}
          className={`${INPUT} py-1 text-xs`}
          value={server.behaviour}
          title={BEHAVIOUR_INFO[server.behaviour]}
          onChange={(e) =>
            void run('server:configure', { serverId: server.id, behaviour: e.target.value as Behaviour })
          }
        >
          {(server.protocol === 'udp' ? UDP_BEHAVIOURS : BEHAVIOURS).map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </div>

      <CertificateFacts server={server} />

      <ul className="mt-2 space-y-1" onClick={(e) => e.stopPropagation()}>
        {(transportCommands(server) ?? peerCommands(server)).map((c) => (
          <li
            key={c.tool}
            className="flex items-start gap-1 rounded-md bg-slate-100 py-0.5 pr-0.5 pl-2 dark:bg-slate-950/70"
            title={c.explain}
          >
            <code className="min-w-0 flex-1 font-mono text-[11.5px] leading-snug whitespace-pre-wrap text-slate-800 [overflow-wrap:anywhere] dark:text-slate-200">
              <BreakableCommand command={c.command} />
            </code>
            <CopyButton text={c.command} label={`Copy ${c.tool} command`} />
          </li>
        ))}
      </ul>

      {server.notes.length > 0 ? (
        <ul className="mt-2 space-y-1 text-xs leading-snug text-amber-800 dark:text-amber-300/90">
          {server.notes.map((n) => (
            <li key={n} className="flex gap-1.5">
              <span aria-hidden="true">›</span>
              <span>{n}</span>
            </li>
          ))}
        </ul>
      ) : null}

      <div className="mt-2.5 flex flex-wrap gap-1.5" onClick={(e) => e.stopPropagation()}>
        <button
          type="button"
          className={BUTTON.danger}
          onClick={() => void run('server:stop', { serverId: server.id })}
        >
          Stop
        </button>
        <button
          type="button"
          className={BUTTON.secondary}
          disabled={counters.open === 0}
          title="Close every connection of this server (FIN); the listener stays"
          onClick={() => void run('server:close-all', { serverId: server.id })}
        >
          Close all
        </button>
        <button
          type="button"
          className={BUTTON.secondary}
          title={
            listening ? 'Close the listening socket, keep the connections: new clients are refused' : 'Listen again'
          }
          onClick={() => void run('server:configure', { serverId: server.id, accepting: !listening })}
        >
          {listening ? 'Stop accepting' : 'Resume accepting'}
        </button>
        <button
          type="button"
          className={BUTTON.ghost}
          aria-expanded={settingsOpen}
          onClick={() => setSettingsOpen((o) => !o)}
        >
          Settings
        </button>
      </div>
      {settingsOpen ? (
        <div onClick={(e) => e.stopPropagation()}>
          <ServerSettingsPanel server={server} onConfigure={(input) => run('server:configure', input)} />
        </div>
      ) : null}
      {error ? (
        <div className="mt-2" onClick={(e) => e.stopPropagation()}>
          <ErrorAlert error={error} onDismiss={() => setError(null)} />
        </div>
      ) : null}
    </article>
  )
})

/** A command with line-break chances after each `/` and `;`, so a long path wraps between its parts. */
function BreakableCommand({ command }: { command: string }): ReactNode {
  const parts = command.split(/(?<=[/;])/)
  return parts.map((p, i) => (
    <Fragment key={i}>
      {p}
      {i < parts.length - 1 ? <wbr /> : null}
    </Fragment>
  ))
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }): ReactNode {
  return (
    <div title={title} className="min-w-0">
      <dt className="text-[10px] tracking-wide text-slate-500 uppercase dark:text-slate-500">{label}</dt>
      <dd className="font-mono text-[12px] whitespace-nowrap text-slate-800 tabular-nums dark:text-slate-200">
        {value}
      </dd>
    </div>
  )
}

function ServerSparkline({ id }: { id: number }): ReactNode {
  const history = useLab((s) => s.serverHistory.get(id))
  const values = useMemo(() => (history ? history.in.map((v, i) => v + history.out[i]) : []), [history])
  // Nothing to draw until there is a line, and a flat zero line says nothing either.
  if (values.length < 2 || !values.some((v) => v > 0)) return null
  return (
    <div className="mt-1.5 overflow-hidden rounded bg-slate-50 dark:bg-slate-950/40">
      <Sparkline
        values={values}
        width={200}
        height={22}
        label={`Rate of this server over the last minute: now ${formatRate(values[values.length - 1])}`}
      />
    </div>
  )
}
