import { useEffect, useRef } from 'react'
import { useLab } from '@renderer/store/use-lab'
import { useUi, useUiStore } from '@renderer/store/ui-store'

/**
 * Drops a selection once its server stopped or its connection was cleared. A selection made from a
 * command's answer may precede the event that adds it, so only something seen and then gone is dropped.
 */
export function useSelectionHousekeeping(): void {
  const ui = useUiStore()
  const servers = useLab((s) => s.servers)
  // Membership and states, not counters: a flood does not re-run this.
  const version = useLab((s) => s.membersVersion)
  const connections = useLab((s) => s.connections)
  const selectedServer = useUi((s) => s.selectedServerId)
  const selectedConnection = useUi((s) => s.selectedConnectionId)
  const seen = useRef<{ server: number | null; connection: number | null }>({ server: null, connection: null })
  useEffect(() => {
    const s = ui.get()
    const patch: { selectedServerId?: null; selectedConnectionId?: null } = {}
    if (s.selectedServerId !== null) {
      if (servers.has(s.selectedServerId)) seen.current.server = s.selectedServerId
      else if (seen.current.server === s.selectedServerId) patch.selectedServerId = null
    }
    if (s.selectedConnectionId !== null) {
      if (connections.has(s.selectedConnectionId)) seen.current.connection = s.selectedConnectionId
      else if (seen.current.connection === s.selectedConnectionId) patch.selectedConnectionId = null
    }
    if (Object.keys(patch).length > 0) ui.set(patch)
  }, [ui, servers, connections, version, selectedServer, selectedConnection])
}
