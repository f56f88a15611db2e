import type net from 'node:net'
import tls from 'node:tls'
import type { LabConnection } from '../lab-connection'
import { describeServerHandshakeError, handshakeFacts, pendingFacts } from './tls-words'

/** Picks the application protocol: http/1.1 when offered (curl offers h2 first, which no behaviour speaks), else the client's first. */
function chooseAlpn({ protocols }: { protocols: string[] }): string | undefined {
  return protocols.includes('http/1.1') ? 'http/1.1' : protocols[0]
}

/**
 * Wraps an accepted TCP socket in a server-side TLSSocket and the connection `make` builds on it (kind 'tls',
 * `wire` = the TCP socket): the handshake's facts land on `conn.tls`, a failed one in words on `conn.tls.failure`
 * and `conn.error`. Shared by TLS servers and TLS-terminating proxies, so both show a handshake the same way.
 */
export function acceptTls(
  raw: net.Socket,
  context: tls.SecureContext | undefined,
  make: (socket: tls.TLSSocket) => LabConnection,
  onSecure?: (conn: LabConnection) => void
): LabConnection {
  const socket = new tls.TLSSocket(raw, {
    isServer: true,
    secureContext: context,
    // Ask for a client certificate (to show it) without requiring one.
    requestCert: true,
    rejectUnauthorized: false,
    ALPNCallback: chooseAlpn
  })
  // Registered before the connection's own listeners, so the closed event already carries the words.
  let settled = false
  socket.once('secure', () => {
    settled = true
    conn.tls = handshakeFacts(socket)
    conn.announce()
    onSecure?.(conn)
  })
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (settled) return
    settled = true
    handshakeFailed(conn, err)
  })
  socket.once('close', () => {
    if (!settled) handshakeFailed(conn, null)
  })
  const conn = make(socket)
  conn.tls = pendingFacts()
  return conn
}

function handshakeFailed(conn: LabConnection, err: NodeJS.ErrnoException | null): void {
  const words = describeServerHandshakeError(err, conn.wireCounts().wireBytesIn)
  conn.tls = { ...(conn.tls ?? pendingFacts()), handshake: 'failed', failure: words }
  // Set before the connection's own error handler runs its generic `??=`; the TLS facts keep the whole sentence.
  conn.error = `TLS handshake failed: ${words.split(/ \(|: /)[0]}`
}
