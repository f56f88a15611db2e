import type { CommandInput, CommandName, CommandValue } from '@shared/contract'
import type { ConnectionInfo, EventBatch } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub, LabHubOptions, LabSession } from '../../src/main/engine/lab-hub'
import { waitFor } from './wait'

/** A hub with one consumer session that records every batch it receives and acks it. */
export interface TestLab {
  hub: LabHub
  session: LabSession
  batches: EventBatch[]
  /** Runs a command and returns its value, failing the test on an error result. */
  ok<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandValue<C>>
  /** The engine's current view of one connection. */
  conn(id: number): ConnectionInfo
  /** Waits until some connection matches. */
  waitConn(pred: (c: ConnectionInfo) => boolean, what?: string, timeoutMs?: number): Promise<ConnectionInfo>
  dispose(): Promise<void>
}

/** Starts a lab for one test. */
export function createTestLab(options: LabHubOptions = {}): TestLab {
  const hub = createLabHub({ batcher: { intervalMs: 10 }, ...options })
  const batches: EventBatch[] = []
  const session: LabSession = hub.connect((b) => {
    batches.push(b)
    void session.handle('lab:ack', { seq: b.seq })
  })
  return {
    hub,
    session,
    batches,
    async ok(name, input) {
      const r = await session.handle(name, input)
      if (!r.ok) throw new Error(`${name} failed: ${r.error.message}`)
      return r.value as never
    },
    conn(id) {
      const c = hub.lab.connections.get(id)
      if (!c) throw new Error(`no connection ${id}`)
      return c.info()
    },
    waitConn(pred, what = 'a matching connection', timeoutMs = 5_000) {
      return waitFor(() => [...hub.lab.connections.values()].map((c) => c.info()).find(pred), { what, timeoutMs })
    },
    async dispose() {
      session.close()
      await hub.dispose()
    }
  }
}
