import { BEHAVIOURS } from '@shared/model'
import type { AcceptMode, Behaviour, ServerProtocol } from '@shared/model'
import { hostPort } from '@shared/endpoint-format'

/** The settings of one started server, as the form held them. */
export interface ServerSettings {
  host: string
  port: string
  behaviour: Behaviour
  telemetryIntervalMs?: number
  backlog?: number
  maxConnections?: number
  acceptMode?: AcceptMode
  pauseOnAccept?: boolean
  /** udp or tls; absent for tcp. */
  protocol?: ServerProtocol
}

const KEY = 'tcp-lab:recent-servers'
/** How many recent settings are offered again. */
export const RECENT_LIMIT = 5

/** The recently used settings, newest first (empty when storage is unavailable or holds garbage). */
export function loadRecent(storage: Storage | undefined = safeStorage()): ServerSettings[] {
  if (!storage) return []
  try {
    const raw: unknown = JSON.parse(storage.getItem(KEY) ?? '[]')
    if (!Array.isArray(raw)) return []
    return raw.filter(isSettings).slice(0, RECENT_LIMIT)
  } catch {
    return []
  }
}

/** Puts `s` first, drops an identical older entry, keeps the newest five; returns the new list. */
export function rememberRecent(s: ServerSettings, storage: Storage | undefined = safeStorage()): ServerSettings[] {
  const key = settingsKey(s)
  const list = [s, ...loadRecent(storage).filter((r) => settingsKey(r) !== key)].slice(0, RECENT_LIMIT)
  try {
    storage?.setItem(KEY, JSON.stringify(list))
  } catch {
    // Storage full or blocked: the list is only a convenience.
  }
  return list
}

/** A short label: `echo on 127.0.0.1:8080`. */
export function describeSettings(s: ServerSettings): string {
  const where = s.host.startsWith('unix:') ? s.host : hostPort(s.host, s.port)
  return `${s.behaviour} on ${s.protocol && s.protocol !== 'tcp' ? `${s.protocol}:` : ''}${where}`
}

function settingsKey(s: ServerSettings): string {
  return JSON.stringify([
    s.host,
    s.port,
    s.behaviour,
    s.telemetryIntervalMs,
    s.backlog,
    s.maxConnections,
    s.acceptMode,
    s.pauseOnAccept,
    s.protocol
  ])
}

function isSettings(v: unknown): v is ServerSettings {
  if (!v || typeof v !== 'object') return false
  const o = v as Record<string, unknown>
  return (
    typeof o.host === 'string' && typeof o.port === 'string' && (BEHAVIOURS as readonly unknown[]).includes(o.behaviour)
  )
}

function safeStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}
