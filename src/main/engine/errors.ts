import type { LabError } from '@shared/contract'

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
}

/** Turns a Node socket error into a sentence and a hint a person can act on. */
export function describeSocketError(err: unknown, ctx: SocketErrorContext): LabFailure {
  const e = err as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN'
  const where = ctx.host.startsWith('unix:')
    ? ctx.host
    : `${ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host}:${ctx.port ?? ''}`
  switch (code) {
    case 'EADDRINUSE':
      return ctx.host.startsWith('unix:')
        ? new LabFailure(
            code,
            `Socket path ${ctx.host.slice(5)} is already in use`,
            'Another process listens there, or a stale socket file was left behind: remove the file if nothing uses it.'
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
        'Bind to an address one of this machine\'s interfaces has, such as 127.0.0.1, 0.0.0.0 (all IPv4) or :: (all IPv6).'
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
    case 'EAI_AGAIN':
      return new LabFailure(code, `Host not found: ${ctx.host}`, 'Check the spelling, or use an IP address.')
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new LabFailure(code, `${where} is unreachable`, 'There is no route to that address from this machine.')
    case 'ECONNRESET':
      return new LabFailure(code, `Connection reset by ${where}`, 'The peer aborted the connection (RST).')
    case 'ENOENT':
      return new LabFailure(code, `No socket at ${ctx.host}`, 'The Unix socket path does not exist: is the server running?')
    case 'EAFNOSUPPORT':
      return new LabFailure(code, `Address family not supported for ${ctx.host}`, 'This machine may have IPv6 disabled.')
    case 'EMFILE':
    case 'ENFILE':
      return new LabFailure(code, 'Too many open files', 'Raise the open-file limit (ulimit -n) or close connections.')
    default:
      return new LabFailure(code, `${ctx.op === 'listen' ? 'Could not listen on' : 'Could not connect to'} ${where}: ${e?.message ?? String(err)}`)
  }
}
