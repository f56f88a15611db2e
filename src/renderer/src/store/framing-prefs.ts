import type { FramingInput } from '@shared/framing'
import { createSimpleStore, useStoreValue } from '@renderer/store/simple-store'
import type { SimpleStore } from '@renderer/store/simple-store'

/**
 * Which framing the MESSAGES view uses, chosen per connection or per server. A renderer-only setting:
 * framing never changes what is sent or counted, so the engine need not know it. A responder's own
 * framing (its `framing` option) is the default for its server's connections.
 */
export interface FramingPrefs {
  byConnection: Record<number, FramingInput>
  byServer: Record<number, FramingInput>
}

/** The window's framing choices (one per renderer; a workspace may export and import them). */
export const framingPrefs: SimpleStore<FramingPrefs> = createSimpleStore<FramingPrefs>({
  byConnection: {},
  byServer: {}
})

/** The framing to show for a connection: its own choice, its server's, the responder's, else null (none chosen). */
export function framingFor(
  prefs: FramingPrefs,
  connectionId: number,
  serverId: number | null,
  serverDefault?: FramingInput
): FramingInput | null {
  return (
    prefs.byConnection[connectionId] ??
    (serverId !== null ? prefs.byServer[serverId] : undefined) ??
    serverDefault ??
    null
  )
}

/** Sets the framing of one connection, or of every connection of its server. */
export function chooseFraming(scope: 'connection' | 'server', id: number, framing: FramingInput): void {
  framingPrefs.set((p) =>
    scope === 'connection'
      ? { byConnection: { ...p.byConnection, [id]: framing } }
      : { byServer: { ...p.byServer, [id]: framing } }
  )
}

/** The prefs, re-rendering on change. */
export function useFramingPrefs(): FramingPrefs {
  return useStoreValue(framingPrefs, (s) => s)
}
