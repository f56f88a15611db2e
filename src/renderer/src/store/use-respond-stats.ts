import { useEffect, useRef, useState } from 'react'
import type { CommandValue } from '@shared/contract'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from './use-command'

/** How often a shown responder's hit counters are fetched. */
export const STATS_POLL_MS = 1_000

/** A respond server's live hit counters, fetched every STATS_POLL_MS while shown; null before the first answer. */
export function useRespondStats(
  serverId: number | null,
  request?: LabRequest,
  pollMs = STATS_POLL_MS
): CommandValue<'respond:stats'> | null {
  const [stats, setStats] = useState<CommandValue<'respond:stats'> | null>(null)
  const { run } = useCommand(request, { trackBusy: false })
  const runRef = useRef(run)
  runRef.current = run
  useEffect(() => {
    if (serverId === null) return
    let cancelled = false
    const tick = async (): Promise<void> => {
      const r = await runRef.current('respond:stats', { serverId })
      if (!cancelled && r.ok) setStats(r.value)
    }
    void tick()
    const t = setInterval(() => void tick(), pollMs)
    return () => {
      cancelled = true
      clearInterval(t)
    }
  }, [serverId, pollMs])
  return stats
}
