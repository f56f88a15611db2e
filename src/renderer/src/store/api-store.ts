import { useMemo } from 'react'
import type { ApiStatus } from '@shared/api-settings'
import type { LabTransport } from '@renderer/transport/transport'
import { useLabStore } from '@renderer/store/use-lab'
import { createSimpleStore, useStoreValue } from '@renderer/store/simple-store'
import type { SimpleStore } from '@renderer/store/simple-store'

/** What the renderer knows of the Toxiproxy API: its status (null until fetched), or why it could not be fetched. */
export interface ApiView {
  status: ApiStatus | null
  error: string | null
}

const stores = new WeakMap<LabTransport, SimpleStore<ApiView>>()

/**
 * Follows the API's status: fetched once (and again after a resync or a reconnect, so a reloaded page agrees), then
 * kept current by `api.updated` events, which every window and page receives alike.
 */
export function apiStoreFor(transport: LabTransport): SimpleStore<ApiView> {
  const known = stores.get(transport)
  if (known) return known
  const store = createSimpleStore<ApiView>({ status: null, error: null })
  // A fetch that answers after a newer event must not overwrite it.
  let version = 0
  const refresh = async (): Promise<void> => {
    const asked = ++version
    const r = await transport.request('api:status', {})
    if (asked !== version) return
    store.set(r.ok ? { status: r.value, error: null } : { error: r.error.message })
  }
  transport.onBatch((batch) => {
    let latest: ApiStatus | null = null
    for (const e of batch.events) if (e.type === 'api.updated') latest = e.api
    if (latest) {
      version++
      store.set({ status: latest, error: null })
    } else if (batch.resync) void refresh()
  })
  transport.onLinkChange?.((up) => {
    if (up) void refresh()
  })
  stores.set(transport, store)
  void refresh()
  return store
}

/** A slice of the API view of the app's transport. */
export function useApiStatus<T>(selector: (v: ApiView) => T): T {
  const transport = useLabStore().transport
  const store = useMemo(() => apiStoreFor(transport), [transport])
  return useStoreValue(store, selector)
}
