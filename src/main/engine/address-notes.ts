import { lookup } from 'node:dns/promises'
import type { ServerInfo } from '@shared/model'

/** Resolves "localhost" to its address families in the system's order (4 or 6). */
export type LocalhostResolver = () => Promise<number[]>

const systemResolver: LocalhostResolver = async () =>
  (await lookup('localhost', { all: true, verbatim: true })).map((a) => a.family)

/**
 * Notes about how clients will (not) reach a server's address; above all the classic
 * "localhost resolves to ::1 but the server listens on 127.0.0.1" (or the reverse).
 */
export async function localhostNotes(
  server: ServerInfo,
  resolveLocalhost: LocalhostResolver = systemResolver
): Promise<string[]> {
  if (server.family === 'unix') return []
  const notes: string[] = []
  const addr = server.bound.address
  const port = server.bound.port
  if (addr === '0.0.0.0')
    notes.push('Listening on every IPv4 interface: reachable from other machines that can route to this one.')
  else if (addr === '::')
    notes.push('Listening on every interface (IPv6 and, on most systems, IPv4 too): reachable from other machines.')
  else if (addr.startsWith('127.') || addr === '::1') notes.push('Loopback only: reachable from this machine alone.')
  if (addr === '0.0.0.0' || addr === '::') return notes
  if (!addr.startsWith('127.') && addr !== '::1') {
    notes.push(`Listening on ${addr} only: "localhost" (loopback) does not reach it; clients must connect to ${addr}.`)
    return notes
  }
  let families: number[] = []
  try {
    families = await resolveLocalhost()
  } catch {
    return notes
  }
  const first = families[0]
  if (server.family === 'IPv4' && first === 6) {
    notes.push(
      `"localhost" resolves to ::1 (IPv6) first here, but this server listens on IPv4 only: "nc localhost ${port}" may be refused; use 127.0.0.1, or listen on :: instead.`
    )
  } else if (server.family === 'IPv6' && !families.includes(6)) {
    notes.push(
      `"localhost" resolves to IPv4 only here, but this server listens on IPv6: connect to [${addr}]:${port} instead.`
    )
  } else if (server.family === 'IPv6' && first === 4 && addr === '::1') {
    notes.push(
      `"localhost" resolves to 127.0.0.1 first here, but this server listens on ::1 only: clients that try IPv4 alone will be refused.`
    )
  }
  return notes
}
