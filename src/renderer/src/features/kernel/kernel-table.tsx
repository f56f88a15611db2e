import type { ReactElement } from 'react'
import type { KernelSocket } from '@shared/kernel-model'
import type { ConnectionInfo } from '@shared/model'
import { hostPort } from '@shared/endpoint-format'

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
  return hostPort(address, port)
}

/** The lab connection this socket is the far end of: its tuple is the connection's, reversed (the newest such one). */
export function peerSideOf(s: KernelSocket, connections: readonly ConnectionInfo[]): ConnectionInfo | undefined {
  if (s.state === 'LISTEN') return undefined
  let found: ConnectionInfo | undefined
  for (const c of connections) {
    if (c.family === 'unix') continue
    if (
      s.localPort === c.remote.port &&
      s.remotePort === c.local.port &&
      plain(s.localAddress) === plain(c.remote.address) &&
      plain(s.remoteAddress) === plain(c.local.address) &&
      // A live connection wins over a closed one that once had the same tuple; then the newest.
      (!found ||
        (found.state === 'closed' && c.state !== 'closed') ||
        ((found.state === 'closed') === (c.state === 'closed') && c.id > found.id))
    )
      found = c
  }
  return found
}

/** Who a socket belongs to, in words: a lab connection or server, the peer's side of one, or someone else's. */
export function labRole(
  s: KernelSocket,
  labSockets: readonly KernelSocket[],
  connections: readonly ConnectionInfo[] = []
): { text: string; own: boolean; peerOf: number | null } {
  if (s.labConnectionId !== null) return { text: `#${s.labConnectionId}`, own: true, peerOf: null }
  if (s.labServerId !== null) return { text: `server #${s.labServerId}`, own: true, peerOf: null }
  // The other end of a lab connection over loopback: its local is the lab's remote.
  const twin = labSockets.find(
    (o) =>
      o.labConnectionId !== null &&
      o.remotePort === s.localPort &&
      o.localPort === s.remotePort &&
      plain(o.remoteAddress) === plain(s.localAddress)
  )
  if (twin) return { text: `peer side of #${twin.labConnectionId}`, own: false, peerOf: twin.labConnectionId }
  // The lab's side may be gone already (the peer closed first, so its side waits in TIME-WAIT): match the store's connections.
  const conn = peerSideOf(s, connections)
  if (conn) return { text: `peer side of #${conn.id}`, own: false, peerOf: conn.id }
  if (s.state === 'TIME-WAIT') return { text: 'TIME-WAIT leftover', own: false, peerOf: null }
  return { text: "not the lab's", own: false, peerOf: null }
}

/** A kernel socket with its role and where it sorts. */
interface Placed {
  socket: KernelSocket
  role: ReturnType<typeof labRole>
  key: [number, number, number, number]
}

/**
 * Orders rows as a story: by the server's port, then by connection (the listener first), the lab's own
 * side before the peer's side of the same connection, sockets of no lab connection last.
 */
export function placeSockets(sockets: readonly KernelSocket[], connections: readonly ConnectionInfo[] = []): Placed[] {
  const lab = sockets.filter((s) => s.labConnectionId !== null)
  const byId = new Map(connections.map((c) => [c.id, c]))
  const listening = new Set(sockets.filter((s) => s.state === 'LISTEN').map((s) => s.localPort))
  const placed = sockets.map((socket, index): Placed => {
    const role = labRole(socket, lab, connections)
    const id = socket.labConnectionId ?? role.peerOf
    const c = id === null ? undefined : byId.get(id)
    let serverPort: number
    if (socket.state === 'LISTEN') serverPort = socket.localPort
    else if (c) serverPort = c.origin === 'accepted' ? c.local.port : c.remote.port
    else if (listening.has(socket.localPort)) serverPort = socket.localPort
    else if (listening.has(socket.remotePort)) serverPort = socket.remotePort
    else serverPort = Math.min(socket.localPort, socket.remotePort)
    const side = socket.state === 'LISTEN' ? 0 : role.own ? 1 : role.peerOf !== null ? 2 : 3
    return {
      socket,
      role,
      key: [serverPort, socket.state === 'LISTEN' ? -1 : (id ?? Number.MAX_SAFE_INTEGER), side, index]
    }
  })
  return placed.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3])
}

// Opaque, no backdrop blur: a blur repaints whatever scrolls under it on every update (costly without a GPU).
const TH = 'sticky top-0 z-10 bg-white px-1.5 py-1 font-medium dark:bg-slate-900'

/** The kernel's sockets as a table, in story order; lab rows link to their connection via `onSelectConnection`. */
export function KernelTable({
  sockets,
  connections,
  onSelectConnection
}: {
  sockets: readonly KernelSocket[]
  /** The lab's connections, to name the peer side of one whose lab side is gone. */
  connections?: readonly ConnectionInfo[]
  onSelectConnection?: (id: number) => void
}): ReactElement {
  const rows = placeSockets(sockets, connections)
  return (
    <table aria-label="Kernel sockets" className="w-full border-separate border-spacing-0 text-xs whitespace-nowrap">
      <thead>
        <tr className="text-left text-slate-500 dark:text-slate-400">
          <th className={TH}>State</th>
          <th className={TH}>Local</th>
          <th className={TH}>Remote</th>
          <th className={`${TH} text-right`}>Recv-Q</th>
          <th className={`${TH} text-right`}>Send-Q</th>
          <th className={TH}>Process</th>
          <th className={TH}>Lab</th>
        </tr>
      </thead>
      <tbody className="font-mono">
        {rows.map(({ socket: s, role }, i) => {
          const listen = s.state === 'LISTEN'
          // A new server's group starts with a rule.
          const groupStart = i > 0 && rows[i - 1].key[0] !== rows[i].key[0]
          const cell = `border-t px-1.5 py-0.5 ${groupStart ? 'border-slate-300 dark:border-slate-600' : 'border-slate-100 dark:border-slate-800'}`
          return (
            <tr
              key={`${s.inode}-${s.family}-${s.localAddress}-${s.localPort}-${s.remoteAddress}-${s.remotePort}-${s.state}`}
              data-state={s.state}
              data-lab={role.own ? 'own' : 'other'}
              className={role.own ? '' : 'text-slate-500 dark:text-slate-400'}
            >
              <td className={cell}>
                <span className={`rounded px-1 ${STATE_STYLE[s.state] ?? ''}`}>{s.state}</span>
              </td>
              <td className={cell}>{addr(s.localAddress, s.localPort)}</td>
              <td className={cell}>{listen ? '*' : addr(s.remoteAddress, s.remotePort)}</td>
              <td
                className={`${cell} text-right`}
                title={listen ? 'connections waiting in the accept queue' : 'bytes received, not yet read'}
              >
                {s.recvQ.toLocaleString('en-US')}
              </td>
              <td
                className={`${cell} text-right`}
                title={
                  listen
                    ? 'not the backlog: /proc/net/tcp reports 0 for a listener (ss -lt shows the backlog here)'
                    : 'bytes sent, not yet acknowledged'
                }
              >
                {s.sendQ.toLocaleString('en-US')}
              </td>
              <td className={cell}>{s.pid !== null ? `${s.pid}${s.command ? ` (${s.command})` : ''}` : '–'}</td>
              <td className={`${cell} font-sans`}>
                {s.labConnectionId !== null && onSelectConnection ? (
                  <button
                    type="button"
                    className="text-sky-700 underline dark:text-sky-300"
                    onClick={() => onSelectConnection(s.labConnectionId ?? 0)}
                  >
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
