import type { CommandInput, CommandName, CommandResult } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import type { TcpLabPreloadApi } from '../../../preload/api'
import { checkBatch, checkResult } from './checks'
import type { LabTransport } from './transport'

/** The transport over the preload's `window.tcpLab` (IPC to the main process). */
export function createElectronTransport(api: TcpLabPreloadApi | undefined = window.tcpLab): LabTransport {
  if (!api) throw new Error('The TCP Lab preload API is missing (window.tcpLab)')
  return {
    kind: 'electron',
    async request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      try {
        return checkResult(name, await api.request(name, input))
      } catch (err) {
        // IPC itself failed (e.g. the main process is going away): report it like any other failure.
        const message = err instanceof Error ? err.message : String(err)
        return { ok: false, error: { code: 'ipc', message: `The lab did not answer: ${message}` } }
      }
    },
    onBatch(listener: (batch: EventBatch) => void): () => void {
      // Checked as in browser mode: a batch that does not match the contract is dropped (the store resyncs).
      return api.onEvents((raw) => {
        const batch = checkBatch(raw)
        if (batch) listener(batch)
      })
    }
  }
}
