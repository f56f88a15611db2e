import type { ReactElement } from 'react'
import type { ServerInfo } from '@shared/model'
import { endpointText } from '@renderer/store/describe'
import { Term } from '@renderer/ui/term'

const FAMILY_CONST = { IPv4: 'AF_INET', IPv6: 'AF_INET6', unix: 'AF_UNIX' } as const

/** Props of the server's life steps. */
export interface ServerLifeStepsProps {
  server: ServerInfo
  /** Connected sockets open now. */
  openConnections: number
  /** Connections accepted since the server started. */
  acceptedTotal: number
}

/** `socket()` → `bind(addr)` → `listen(backlog)` → `accept()` ×N for one live server, with its N+1 sockets. */
export function ServerLifeSteps({ server, openConnections, acceptedTotal }: ServerLifeStepsProps): ReactElement {
  const listening = server.state === 'listening'
  const addr = endpointText(server.bound, server.family)
  const picked = server.family !== 'unix' && server.requestedPort === 0
  const n = openConnections
  const steps: { call: string; note: ReactElement | string; done: boolean }[] = [
    {
      call: `socket(${FAMILY_CONST[server.family]}, SOCK_STREAM)`,
      note:
        server.family === 'unix'
          ? 'a Unix stream socket: local only, no IP, no ports (not TCP)'
          : 'a TCP socket: just a file descriptor so far',
      done: true
    },
    {
      call: `bind(${addr})`,
      note: picked
        ? `port 0 asked: the kernel picked ${server.bound.port}`
        : 'claims the address; fails if another socket holds it',
      done: true
    },
    {
      call: `listen(${server.backlog})`,
      note: listening ? (
        <>
          LISTEN: the kernel now completes handshakes and queues them (<Term name="backlog" /> {server.backlog})
        </>
      ) : (
        'the listening socket is closed now: no new connections'
      ),
      done: listening
    },
    {
      call: `accept() ×${acceptedTotal.toLocaleString('en-US')}`,
      note: `each accept() returned a new connected socket; ${n.toLocaleString('en-US')} ${n === 1 ? 'is' : 'are'} open now`,
      done: acceptedTotal > 0
    }
  ]
  const sockets = listening ? n + 1 : n
  return (
    <section aria-label={`Life of server ${addr}`} className="flex flex-col gap-1.5 text-sm">
      <ol className="flex flex-wrap items-center gap-1 font-mono text-xs">
        {steps.map((s, i) => (
          <li key={i} className="flex items-center gap-1">
            {i > 0 && <span aria-hidden="true">→</span>}
            <span
              title={typeof s.note === 'string' ? s.note : undefined}
              className={`rounded px-1.5 py-0.5 ${s.done ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-100' : 'bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400'}`}
            >
              {s.call}
            </span>
          </li>
        ))}
      </ol>
      <ul className="list-disc pl-5 text-xs text-slate-600 dark:text-slate-300">
        {steps.map((s, i) => (
          <li key={i}>
            <code>{s.call.replace(/\(.*$/, '()')}</code>: {s.note}
          </li>
        ))}
      </ul>
      <p data-testid="socket-count" className="font-medium">
        {listening
          ? `${socketWord(sockets)}: 1 listening + ${n.toLocaleString('en-US')} connected`
          : `${socketWord(sockets)}: the listener is closed, ${n.toLocaleString('en-US')} connected remain`}
      </p>
    </section>
  )
}

/** `1 socket`, `3 sockets`. */
export function socketWord(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'socket' : 'sockets'}`
}
