import { render, screen } from '@testing-library/react'
import type { RenderResult } from '@testing-library/react'
import { vi, expect } from 'vitest'
import type { Snapshot } from '@shared/model'
import { App } from '@renderer/App'
import { createLabStore } from '@renderer/store/lab-store'
import type { LabStore } from '@renderer/store/lab-store'
import { createUiStore } from '@renderer/store/ui-store'
import type { UiStore } from '@renderer/store/ui-store'
import { FakeTransport } from './fake-transport'
import { makeSnapshot } from './fixtures'

/** The whole app over a fake transport that answers `lab:snapshot` with `snap`. */
export async function renderApp(
  snap: Snapshot = makeSnapshot(),
  fake = new FakeTransport()
): Promise<{ fake: FakeTransport; store: LabStore; ui: UiStore; view: RenderResult }> {
  fake.on('lab:snapshot', () => snap)
  fake.on('connection:traffic', (input) => ({
    connectionId: input.connectionId,
    chunks: [],
    droppedChunks: 0,
    droppedBytes: 0,
    nextSeq: 0
  }))
  const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0 })
  const ui = createUiStore()
  store.start()
  const view = render(<App store={store} ui={ui} />)
  await vi.waitFor(() => expect(screen.getByRole('status', { name: 'Link to the lab' }).textContent).toContain('Live'))
  return { fake, store, ui, view }
}
