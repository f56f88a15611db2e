import { useMemo } from 'react'
import type { WorkspaceStatus } from '@shared/contract'
import type { SequenceRun } from '@shared/model'
import type { LabTransport } from '@renderer/transport/transport'
import { useLabStore } from '@renderer/store/use-lab'
import { createSimpleStore, useStoreValue } from '@renderer/store/simple-store'
import type { SimpleStore } from '@renderer/store/simple-store'

/** What the renderer knows of the workspace: its status (null until fetched or when unavailable) and sequence runs. */
export interface WorkspaceView {
  status: WorkspaceStatus | null
  /** Why the status could not be fetched, if it could not. */
  error: string | null
  /** The latest progress of each sequence run, by run id. */
  runs: ReadonlyMap<number, SequenceRun>
}

/** The workspace store of one transport, with a way to fetch the status again. */
export interface WorkspaceStore extends SimpleStore<WorkspaceView> {
  refresh(): Promise<void>
}

// Runs kept in the view: the newest ones, so a long session does not grow the map without bound.
const RUNS_KEPT = 50
const stores = new WeakMap<LabTransport, WorkspaceStore>()

/** Follows `workspace.updated` (refetching the status, one fetch at a time) and `sequence.progress` events. */
export function workspaceStoreFor(transport: LabTransport): WorkspaceStore {
  const known = stores.get(transport)
  if (known) return known
  const base = createSimpleStore<WorkspaceView>({ status: null, error: null, runs: new Map() })
  let inFlight = false
  let again = false
  const refresh = async (): Promise<void> => {
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    try {
      // Bounded: a change during the fetch asks for exactly one more.
      do {
        again = false
        const r = await transport.request('workspace:get', {})
        base.set(r.ok ? { status: r.value, error: null } : { error: r.error.message })
      } while (again)
    } finally {
      inFlight = false
    }
  }
  transport.onBatch((batch) => {
    let changed = false
    let runs: Map<number, SequenceRun> | null = null
    for (const e of batch.events) {
      if (e.type === 'workspace.updated') changed = true
      else if (e.type === 'sequence.progress') {
        runs ??= new Map(base.get().runs)
        runs.set(e.run.runId, e.run)
      }
    }
    if (runs) {
      while (runs.size > RUNS_KEPT) runs.delete(runs.keys().next().value as number)
      base.set({ runs })
    }
    if (changed || batch.resync) void refresh()
  })
  transport.onLinkChange?.((up) => {
    if (up) void refresh()
  })
  const store: WorkspaceStore = { ...base, refresh }
  stores.set(transport, store)
  void refresh()
  return store
}

/** A slice of the workspace view of the app's transport. */
export function useWorkspace<T>(selector: (v: WorkspaceView) => T): T {
  const transport = useLabStore().transport
  const store = useMemo(() => workspaceStoreFor(transport), [transport])
  return useStoreValue(store, selector)
}

/** The workspace store of the app's transport (for refresh). */
export function useWorkspaceStore(): WorkspaceStore {
  const transport = useLabStore().transport
  return useMemo(() => workspaceStoreFor(transport), [transport])
}
