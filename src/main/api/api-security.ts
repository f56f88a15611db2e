import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { isWildcard } from '../web/web-security'

/** Host names the API answers to: loopback names, plus the address it was told to bind (any port). */
function allowedHostNames(bindHost: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
  const b = bindHost.toLowerCase()
  names.add(b)
  if (isIP(b) === 6) names.add(`[${b}]`)
  if (isWildcard(b)) {
    // Bound to every interface on purpose: this machine's own names and addresses are its address.
    names.add(hostname().toLowerCase())
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        const addr = a.address.split('%')[0].toLowerCase()
        names.add(isIP(addr) === 6 ? `[${addr}]` : addr)
      }
    }
  }
  return names
}

/** The host part of a Host header (`name`, `name:port`, `[v6]:port`), lower case. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  const colon = h.lastIndexOf(':')
  return colon >= 0 ? h.slice(0, colon) : h
}

/**
 * Why an API request is refused, or null. The API opens ports on this machine, so a web page must
 * never reach it: a request with an Origin header (a browser's cross-site fetch or form), a Host that
 * is not this machine's (DNS rebinding), or a browser's User-Agent (Toxiproxy's own rule) is refused.
 */
export function refuseApiRequest(req: IncomingMessage, bindHost: string): string | null {
  if (req.headers.origin !== undefined) return 'requests from web pages (with an Origin header) are refused'
  const host = req.headers.host
  if (!host) return 'a Host header is required'
  const name = hostName(host)
  if (!allowedHostNames(bindHost).has(name) && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) {
    return `Host ${JSON.stringify(host.slice(0, 80))} is not this lab's address`
  }
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return 'User agent not allowed'
  return null
}
