import type { KernelSocket } from '@shared/kernel-model'
import { isWildcardAddress, normaliseAddress } from './ip-address'
import { readKernelSockets } from './kernel-reader'

function conflicts(listenAddress: string, host: string | undefined): boolean {
  if (host === undefined || host === '' || host === 'localhost') return true
  if (isWildcardAddress(host) || isWildcardAddress(listenAddress)) return true
  return normaliseAddress(listenAddress) === normaliseAddress(host)
}

function describe(s: KernelSocket): string | undefined {
  if (s.pid === null) return undefined
  return s.command ? `pid ${s.pid} (${s.command})` : `pid ${s.pid}`
}

/**
 * Who LISTENs on this port, as `pid 1234 (nc)`, for a better "Port 8080 is already in use" message.
 * With `host`, a listener on that address or on a wildcard counts. Undefined when nothing is found
 * or its owner is hidden from this user.
 */
export async function whoHoldsPort(port: number, host?: string): Promise<string | undefined> {
  try {
    // A fresh scan, not the shared owner cache: the holder may have started a moment ago (e.g. `nc -l`).
    const view = await readKernelSockets({
      scope: 'lab',
      ports: new Set([port]),
      listenersOnly: true,
      freshOwners: true
    })
    const listeners = view.sockets.filter(
      (s) => s.state === 'LISTEN' && s.localPort === port && conflicts(s.localAddress, host)
    )
    const exact = host ? listeners.find((s) => normaliseAddress(s.localAddress) === normaliseAddress(host)) : undefined
    for (const s of exact ? [exact, ...listeners] : listeners) {
      const who = describe(s)
      if (who) return who
    }
    return undefined
  } catch {
    return undefined
  }
}
