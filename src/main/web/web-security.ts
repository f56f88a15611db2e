import { randomBytes, timingSafeEqual } from 'node:crypto'
import { hostname, networkInterfaces } from 'node:os'
import type { IncomingMessage } from 'node:http'
import { bracketHost } from '@shared/endpoint-format'

/** A fresh per-run token: 128 random bits or more, as hex. */
export function createToken(bytes = 16): string {
  return randomBytes(Math.max(16, bytes)).toString('hex')
}

/** Compares a presented token with the real one in constant time. */
export function tokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Whether a bind address means every interface. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0'
}

/**
 * The `Host` header values the UI answers to (lower case, `name:port`): the bound address, the loopback
 * names, and, for a wildcard bind, this machine's own addresses and name. Any other name may be a
 * DNS-rebinding page and is refused.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]', bracketHost(boundHost).toLowerCase()])
  if (isWildcard(boundHost)) {
    names.add(hostname().toLowerCase())
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(bracketHost(a.address.split('%')[0]).toLowerCase())
    }
  }
  return new Set([...names].map((n) => `${n}:${port}`))
}

/** Why a request is refused before it reaches a file or the WebSocket, or null when it may go on. */
export function refuseReason(req: IncomingMessage, allowed: Set<string>): string | null {
  const host = req.headers.host?.toLowerCase()
  if (!host || !allowed.has(host)) return `Host ${JSON.stringify(req.headers.host ?? '')} is not this lab's address`
  const origin = req.headers.origin
  // Browsers send Origin on WebSocket upgrades and cross-site requests; it must be this very page.
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`)
    return `Origin ${JSON.stringify(origin)} is not this lab's page`
  return null
}

/** The Content-Security-Policy of every static response; `host` is the validated `name:port`. */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'"
  ].join('; ')
}
