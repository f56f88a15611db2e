import type { LabError } from '@shared/contract'
import { hostPort } from '@shared/endpoint-format'

/** An expected failure of a lab command: carried back to the user as words, never thrown past the hub. */
export class LabFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string
  ) {
    super(message)
    this.name = 'LabFailure'
  }

  /** The wire form. */
  toLabError(): LabError {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint }
  }
}

/** What the failing operation was trying to reach, to make the sentence specific. */
export interface SocketErrorContext {
  op: 'listen' | 'connect'
  host: string
  port?: number
  /** e.g. "pid 1234 (nc)", when the kernel tells who holds a port. */
  holder?: string
  /** The lab's own server that listens there, when it is the holder. */
  labServer?: { id: number; behaviour: string; address: string }
  /** For a Unix socket path in use: what is at the path (probed by the caller). */
  unixState?: 'live' | 'stale' | 'not-socket'
}

/** Turns a Node socket error into a sentence and a hint a person can act on. */
export function describeSocketError(err: unknown, ctx: SocketErrorContext): LabFailure {
  const e = err as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN'
  const where = ctx.host.startsWith('unix:') ? ctx.host : hostPort(ctx.host, ctx.port ?? '')
  switch (code) {
    case 'EADDRINUSE':
      return ctx.host.startsWith('unix:')
        ? unixInUse(code, ctx.host.slice(5), ctx.unixState)
        : ctx.labServer
          ? new LabFailure(
              code,
              `Port ${ctx.port} is already in use by this lab: server #${ctx.labServer.id} (${ctx.labServer.behaviour} on ${ctx.labServer.address}) listens there`,
              `Use that server (change its behaviour on its card), stop it first, or choose another port (0 picks a free one).`
            )
          : new LabFailure(
              code,
              `Port ${ctx.port} is already in use`,
              `${ctx.holder ? `It is held by ${ctx.holder}. ` : 'Another socket is bound to it. '}Stop that process, choose another port, or use port 0 to let the system pick a free one.`
            )
    case 'EACCES':
    case 'EPERM':
      return ctx.op === 'listen' && ctx.port !== undefined && ctx.port > 0 && ctx.port < 1024
        ? new LabFailure(
            code,
            `Permission denied: port ${ctx.port} is a privileged port`,
            'Ports below 1024 need administrator rights on most systems; use a port from 1024 up.'
          )
        : new LabFailure(code, `Permission denied for ${where}`, 'The system does not let this user use that address.')
    case 'EADDRNOTAVAIL':
      return new LabFailure(
        code,
        `Address ${ctx.host} is not available on this machine`,
        "Bind to an address one of this machine's interfaces has, such as 127.0.0.1, 0.0.0.0 (all IPv4) or :: (all IPv6)."
      )
    case 'ECONNREFUSED':
      return new LabFailure(
        code,
        `Connection refused by ${where}`,
        'Nothing is listening there (the peer answered with RST). Check the port, and whether the server listens on IPv4 or IPv6.'
      )
    case 'ETIMEDOUT':
    case 'ECONNTIMEOUT':
      return new LabFailure(
        'ETIMEDOUT',
        `Connecting to ${where} timed out`,
        'No answer came: the host may be down, or a firewall drops the packets silently.'
      )
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return new LabFailure(
        'ENOTFOUND',
        `Host not found: ${ctx.host}`,
        'The name does not resolve to an address. Check the spelling, or use an IP address.'
      )
    case 'EAI_AGAIN':
      return new LabFailure(
        code,
        `Could not look up ${ctx.host}: the name server did not answer`,
        'Check the network or DNS settings, or use an IP address.'
      )
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new LabFailure(code, `${where} is unreachable`, 'There is no route to that address from this machine.')
    case 'ECONNRESET':
      return new LabFailure(code, `Connection reset by ${where}`, 'The peer aborted the connection (RST).')
    case 'ENOENT':
      return ctx.op === 'listen'
        ? new LabFailure(
            code,
            `Cannot create a socket at ${ctx.host.slice(5)}: no such directory ${dirOf(ctx.host.slice(5))}`,
            'Create the directory first, or choose a path in an existing one (e.g. /tmp).'
          )
        : new LabFailure(
            code,
            `No socket at ${ctx.host}`,
            'The Unix socket path does not exist: is the server running?'
          )
    case 'EAFNOSUPPORT':
      return new LabFailure(
        code,
        `Address family not supported for ${ctx.host}`,
        'This machine may have IPv6 disabled.'
      )
    case 'EMFILE':
    case 'ENFILE':
      return new LabFailure(code, 'Too many open files', 'Raise the open-file limit (ulimit -n) or close connections.')
    default:
      return new LabFailure(
        code,
        `${ctx.op === 'listen' ? 'Could not listen on' : 'Could not connect to'} ${where}: ${e?.message ?? String(err)}`
      )
  }
}

function dirOf(path: string): string {
  const cut = path.lastIndexOf('/')
  return cut > 0 ? path.slice(0, cut) : '/'
}

function unixInUse(code: string, path: string, state: SocketErrorContext['unixState']): LabFailure {
  if (state === 'stale') {
    return new LabFailure(
      code,
      `A stale socket file is left at ${path}: nothing listens on it`,
      `A server that ended without cleaning up left it behind. Remove it (rm ${path}) or choose another path.`
    )
  }
  if (state === 'not-socket') {
    return new LabFailure(
      code,
      `${path} already exists and is not a socket`,
      'Choose another path; the lab does not delete ordinary files.'
    )
  }
  return new LabFailure(
    code,
    `Socket path ${path} is already in use`,
    'Another process listens there: stop it or choose another path.'
  )
}

/** Words for an error that ends an established connection, for its `error` field. */
export function describeConnectionError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNRESET':
      return 'Connection reset by peer (ECONNRESET): the peer aborted the connection with RST'
    case 'EPIPE':
      return 'Broken pipe (EPIPE): the peer closed the connection while the lab was still writing'
    case 'ETIMEDOUT':
      return 'Connection timed out (ETIMEDOUT): the peer stopped acknowledging data'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `No route to the peer any more (${err.code})`
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message
  }
}
