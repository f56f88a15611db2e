import { useState } from 'react'
import type { ReactNode } from 'react'
import type { LabStore } from './store/lab-store'
import { LabStoreProvider } from './store/use-lab'
import { UiStoreContext, createUiStore } from './store/ui-store'
import type { UiStore } from './store/ui-store'
import { AppLayout } from './features/layout/app-layout'
import { useSelectionHousekeeping } from './features/layout/selection-housekeeping'

/** The app over a started lab store (a fresh UI store unless one is given, e.g. by a test). */
export function App({ store, ui }: { store: LabStore; ui?: UiStore }): ReactNode {
  const [uiStore] = useState(() => ui ?? createUiStore())
  return (
    <LabStoreProvider store={store}>
      <UiStoreContext.Provider value={uiStore}>
        <Housekeeping />
        <AppLayout kind={store.transport.kind} />
      </UiStoreContext.Provider>
    </LabStoreProvider>
  )
}

function Housekeeping(): null {
  useSelectionHousekeeping()
  return null
}
