import type { ReactElement } from 'react'
import type { KernelSocket } from '@shared/kernel-model'
import { hostText } from '../detail/words'

const STATE_STYLE: Partial<Record<KernelSocket['state'], string>> = {
  LISTEN: 'bg-sky-100 text-sky-900 dark:bg-sky-900/50 dark:text-sky-100',
  ESTABLISHED: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100',
  'TIME-WAIT': 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
  'CLOSE-WAIT': 'bg-violet-100 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100',
  'FIN-WAIT-1': 'bg-violet-100 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100',
  'FIN-WAIT-2': 'bg-violet-100 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100',
  'LAST-ACK': 'bg-violet-100 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100',
  CLOSING: 'bg-violet-100 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100',
  'SYN-SENT': 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100',
  'SYN-RECV': 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100',
  'NEW-SYN-RECV': 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100'
}

// The same loopback address may be reported IPv4-mapped on one side and plain on the other.
function plain(address: string): string {
  return address.toLowerCase().replace(/^::ffff:/, '')
}

function addr(address: string, port: number): string {
  return `${hostText(address)}:${port}`
}

/** Who a socket belongs to, in words: a lab connection or server, the peer's side of one, or someone else's. */
export function labRole(s: KernelSocket, labSockets: readonly KernelSocket[]): { text: string; own: boolean } {
  if (s.labConnectionId !== null) return { text: `#${s.labConnectionId}`, own: true }
  if (s.labServerId !== null) return { text: `server #${s.labServerId}`, own: true }
  // The other end of a lab connection over loopback: its local is the lab's remote.
  const twin = labSockets.find(
    (o) => o.labConnectionId !== null && o.remotePort === s.localPort && o.localPort === s.remotePort && plain(o.remoteAddress) === plain(s.localAddress)
  )
  if (twin) return { text: `peer side of #${twin.labConnectionId}`, own: false }
  if (s.state === 'TIME-WAIT') return { text: 'TIME-WAIT leftover', own: false }
  return { text: "not the lab's", own: false }
}

/** The kernel's sockets as a table; lab rows link to their connection via `onSelectConnection`. */
export function KernelTable({ sockets, onSelectConnection }: { sockets: readonly KernelSocket[]; onSelectConnection?: (id: number) => void }): ReactElement {
  const lab = sockets.filter((s) => s.labConnectionId !== null)
  return (
    <table aria-label="Kernel sockets" className="w-full border-collapse text-xs">
      <thead>
        <tr className="text-left text-slate-500 dark:text-slate-400">
          <th className="px-1 py-0.5 font-medium">State</th>
          <th className="px-1 py-0.5 font-medium">Local</th>
          <th className="px-1 py-0.5 font-medium">Remote</th>
          <th className="px-1 py-0.5 text-right font-medium">Recv-Q</th>
          <th className="px-1 py-0.5 text-right font-medium">Send-Q</th>
          <th className="px-1 py-0.5 font-medium">Process</th>
          <th className="px-1 py-0.5 font-medium">Lab</th>
        </tr>
      </thead>
      <tbody className="font-mono">
        {sockets.map((s) => {
          const role = labRole(s, lab)
          const listen = s.state === 'LISTEN'
          return (
            <tr
              key={`${s.inode}-${s.family}-${s.localAddress}-${s.localPort}-${s.remoteAddress}-${s.remotePort}-${s.state}`}
              data-state={s.state}
              data-lab={role.own ? 'own' : 'other'}
              className={`border-t border-slate-100 dark:border-slate-800 ${role.own ? '' : 'text-slate-500 dark:text-slate-400'}`}
            >
              <td className="px-1 py-0.5">
                <span className={`rounded px-1 ${STATE_STYLE[s.state] ?? ''}`}>{s.state}</span>
              </td>
              <td className="px-1 py-0.5">{addr(s.localAddress, s.localPort)}</td>
              <td className="px-1 py-0.5">{listen ? '*' : addr(s.remoteAddress, s.remotePort)}</td>
              <td className="px-1 py-0.5 text-right" title={listen ? 'connections waiting in the accept queue' : 'bytes received, not yet read'}>
                {s.recvQ.toLocaleString('en-US')}
              </td>
              <td className="px-1 py-0.5 text-right" title={listen ? 'the backlog (accept-queue limit)' : 'bytes sent, not yet acknowledged'}>
                {s.sendQ.toLocaleString('en-US')}
              </td>
              <td className="px-1 py-0.5">{s.pid !== null ? `${s.pid}${s.command ? ` (${s.command})` : ''}` : '–'}</td>
              <td className="px-1 py-0.5 font-sans">
                {s.labConnectionId !== null && onSelectConnection ? (
                  <button type="button" className="text-sky-700 underline dark:text-sky-300" onClick={() => onSelectConnection(s.labConnectionId ?? 0)}>
                    {role.text}
                  </button>
                ) : (
                  role.text
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
