import { useCallback, useEffect, useState } from 'react'
import type { RecordStatus } from '@shared/model'
import type { LabRequest } from './lab-request'

/** How often the record button refreshes its figures while recording. */
const POLL_MS = 1_000

/** The disk recorder's state, refreshed every second while it records. */
export function useRecordStatus(request: LabRequest): { status: RecordStatus | null; refresh: () => Promise<void> } {
  const [status, setStatus] = useState<RecordStatus | null>(null)
  const refresh = useCallback(async () => {
    const r = await request('capture:record-status', {})
    if (r.ok) setStatus(r.value)
  }, [request])
  useEffect(() => {
    void refresh()
  }, [refresh])
  useEffect(() => {
    if (!status?.recording) return
    const t = setInterval(() => void refresh(), POLL_MS)
    return () => clearInterval(t)
  }, [status?.recording, refresh])
  return { status, refresh }
}
