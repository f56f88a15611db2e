import { useEffect, useMemo, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import { describeState, formatEndpoint, isActive } from '@renderer/store/describe'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON, HEADING, INPUT, LABEL } from '@renderer/ui/classes'
import type { ServerProtocol } from '@shared/model'
import { ProtocolSelect, TlsClientOptions, tlsClientRequest } from './protocol-select'
import type { TlsClientFields } from './protocol-select'

/** The lab's own outgoing clients, and a small "Connect to…" form that opens one. */
export function OutgoingClients(): ReactNode {
  const store = useLabStore()
  const ui = useUiStore()
  const ids = useLab((s) => s.outgoingIds)
  // Membership and states, not counters: a flood does not re-run this.
  const version = useLab((s) => s.membersVersion)
  const selectedConnection = useUi((s) => s.selectedConnectionId)
  const [open, setOpen] = useState(false)
  const [host, setHost] = useState('127.0.0.1')
  const [port, setPort] = useState('')
  const [localAddress, setLocalAddress] = useState('')
  const [localPort, setLocalPort] = useState('')
  const { run, busy, error, setError } = useCommand()
  const [protocol, setProtocol] = useState<ServerProtocol>('tcp')
  const [tls, setTls] = useState<TlsClientFields>({ verify: true, servername: '', alpn: '' })
  const errorRef = useRef<HTMLDivElement>(null)
  // The error appears where the person looks: beside the Connect button, scrolled into view.
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest' })
  }, [error])

  const clients = useMemo(() => {
    const all = store.getState().connections
    return [...ids]
      .map((id) => all.get(id))
      .filter((c) => c !== undefined)
      .sort((a, b) => b.id - a.id)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` says when rows changed; the map is updated in place
  }, [ids, version, store])

  const connect = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const h = host.trim()
    const input: CommandInput<'client:connect'> =
      h.startsWith('unix:') || port.trim() === '' ? { host: h } : { host: h, port }
    // Binding the client's own end: an interface and/or a port (the self-connection experiment).
    if (!h.startsWith('unix:') && localAddress.trim() !== '') input.localAddress = localAddress.trim()
    if (!h.startsWith('unix:') && localPort.trim() !== '') input.localPort = localPort.trim()
    if (protocol !== 'tcp') input.protocol = protocol
    if (protocol === 'tls') input.tls = tlsClientRequest(tls)
    const r = await run('client:connect', input)
    if (!r.ok) return
    setOpen(false)
    ui.set({ selectedConnectionId: r.value.id })
  }

  return (
    <section aria-labelledby="outgoing-heading" className="space-y-2">
      <div className="flex items-center justify-between">
        <h2 id="outgoing-heading" className={HEADING}>
          Outgoing clients
        </h2>
        <button
          type="button"
          className={`${open ? BUTTON.ghost : BUTTON.secondary} shrink-0 whitespace-nowrap`}
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Cancel' : 'Connect to…'}
        </button>
      </div>
      {open ? (
        <form
          onSubmit={(e) => void connect(e)}
          aria-label="Connect to a server"
          className="space-y-2 rounded-lg border border-slate-200 p-2.5 dark:border-slate-800"
          noValidate
        >
          <div className="grid grid-cols-[minmax(0,1fr)_5rem] gap-2">
            <div>
              <label htmlFor="connect-host" className={LABEL}>
                Remote host
              </label>
              <input
                id="connect-host"
                className={`${INPUT} font-mono`}
                value={host}
                spellCheck={false}
                onChange={(e) => setHost(e.target.value)}
              />
            </div>
            <div>
              <label htmlFor="connect-port" className={LABEL}>
                Remote port
              </label>
              <input
                id="connect-port"
                className={`${INPUT} font-mono`}
                inputMode="numeric"
                value={port}
                onChange={(e) => setPort(e.target.value)}
              />
            </div>
          </div>
          <ProtocolSelect id="connect-protocol" value={protocol} onChange={setProtocol} />
          {protocol === 'tls' ? <TlsClientOptions value={tls} onChange={setTls} /> : null}
          <details className="text-sm">
            <summary className="cursor-pointer text-xs font-medium text-slate-500 select-none dark:text-slate-400">
              Bind the local end
            </summary>
            <div className="mt-2 grid grid-cols-[minmax(0,1fr)_5rem] gap-2">
              <div>
                <label
                  htmlFor="connect-local-host"
                  className={LABEL}
                  title="An address of this machine to connect from (an interface)"
                >
                  Local address
                </label>
                <input
                  id="connect-local-host"
                  className={`${INPUT} font-mono`}
                  placeholder="any"
                  value={localAddress}
                  spellCheck={false}
                  onChange={(e) => setLocalAddress(e.target.value)}
                />
              </div>
              <div>
                <label
                  htmlFor="connect-local-port"
                  className={LABEL}
                  title="The client's own port; empty lets the system pick an ephemeral one"
                >
                  Local port
                </label>
                <input
                  id="connect-local-port"
                  className={`${INPUT} font-mono`}
                  inputMode="numeric"
                  placeholder="any"
                  value={localPort}
                  onChange={(e) => setLocalPort(e.target.value)}
                />
              </div>
            </div>
          </details>
          <button type="submit" className={`${BUTTON.primary} w-full`} disabled={busy}>
            {busy ? 'Connecting…' : 'Connect'}
          </button>
          <div ref={errorRef}>
            <ErrorAlert error={error} onDismiss={() => setError(null)} />
          </div>
        </form>
      ) : null}
      {clients.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          The lab can be a client too: connect to any server, yours or the lab’s.
        </p>
      ) : (
        <ul className="space-y-1">
          {clients.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                onClick={() => ui.set({ selectedServerId: null, outgoingSelected: true, selectedConnectionId: c.id })}
                aria-current={selectedConnection === c.id ? 'true' : undefined}
                className={`w-full rounded-md border px-2 py-1.5 text-left text-xs ${
                  selectedConnection === c.id
                    ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40'
                    : 'border-slate-200 hover:bg-slate-100 dark:border-slate-800 dark:hover:bg-slate-800/60'
                } ${isActive(c) ? '' : 'opacity-60'}`}
              >
                <span className="block truncate font-mono text-slate-800 dark:text-slate-200">
                  → {c.kind === 'udp' || c.kind === 'tls' ? `${c.kind}:` : ''}
                  {formatEndpoint(c.remote, c.family)}
                </span>
                <span className="block truncate text-slate-500 dark:text-slate-400">
                  #{c.id} · {describeState(c)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
