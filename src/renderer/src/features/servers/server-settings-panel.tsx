import { useState } from 'react'
import type { ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import type { AcceptMode, ServerInfo } from '@shared/model'
import { BUTTON, INPUT } from '@renderer/ui/classes'
import { RespondSettings } from './respond-settings'

/** Props of the settings panel. */
export interface ServerSettingsPanelProps {
  server: ServerInfo
  onConfigure: (input: CommandInput<'server:configure'>) => Promise<boolean>
}

/** Accept mode, max connections and the telemetry interval of a running server. */
export function ServerSettingsPanel({ server, onConfigure }: ServerSettingsPanelProps): ReactNode {
  const [max, setMax] = useState(server.maxConnections === null ? '' : String(server.maxConnections))
  const [interval, setIntervalMs] = useState(String(server.options.telemetryIntervalMs ?? 1000))
  const id = `server-${server.id}`
  const applyMax = (): void => {
    const t = max.trim()
    void onConfigure({ serverId: server.id, maxConnections: t === '' ? null : Number(t) })
  }
  return (
    <div className="mt-2 space-y-2 rounded-md border border-dashed border-slate-300 p-2 text-xs dark:border-slate-700">
      <div className="flex items-center gap-2">
        <label htmlFor={`${id}-accept`} className="w-28 shrink-0 text-slate-500 dark:text-slate-400">
          Accept mode
        </label>
        <select
          id={`${id}-accept`}
          className={`${INPUT} py-1 text-xs`}
          value={server.acceptMode}
          onChange={(e) => void onConfigure({ serverId: server.id, acceptMode: e.target.value as AcceptMode })}
        >
          <option value="concurrent">concurrent</option>
          <option value="one-at-a-time">one at a time</option>
          <option value="pool">pool of K</option>
          <option value="never">never (do not accept)</option>
        </select>
      </div>
      <label
        className="flex items-center gap-2 text-slate-600 dark:text-slate-300"
        title="Each new connection starts with reading paused; connections already open keep their state"
      >
        <input
          type="checkbox"
          checked={server.pauseOnAccept === true}
          onChange={(e) => void onConfigure({ serverId: server.id, pauseOnAccept: e.target.checked })}
        />
        Pause new connections at accept
      </label>
      {server.acceptMode === 'pool' ? (
        <div className="flex items-center gap-2">
          <label htmlFor={`${id}-pool`} className="w-28 shrink-0 text-slate-500 dark:text-slate-400">
            Pool size (K)
          </label>
          <select
            id={`${id}-pool`}
            className={`${INPUT} py-1 text-xs`}
            value={server.poolSize ?? 4}
            onChange={(e) => void onConfigure({ serverId: server.id, poolSize: Number(e.target.value) })}
          >
            {[1, 2, 3, 4, 5, 8, 16].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault()
          applyMax()
        }}
      >
        <label htmlFor={`${id}-max`} className="w-28 shrink-0 text-slate-500 dark:text-slate-400">
          Connection limit
        </label>
        <input
          id={`${id}-max`}
          className={`${INPUT} py-1 text-xs`}
          type="number"
          min={1}
          placeholder="no limit"
          value={max}
          onChange={(e) => setMax(e.target.value)}
        />
        <button type="submit" className={BUTTON.secondary}>
          Set
        </button>
      </form>
      {server.behaviour === 'telemetry' ? (
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault()
            void onConfigure({ serverId: server.id, options: { telemetryIntervalMs: Number(interval) } })
          }}
        >
          <label htmlFor={`${id}-interval`} className="w-28 shrink-0 text-slate-500 dark:text-slate-400">
            Interval (ms)
          </label>
          <input
            id={`${id}-interval`}
            className={`${INPUT} py-1 text-xs`}
            type="number"
            min={10}
            value={interval}
            onChange={(e) => setIntervalMs(e.target.value)}
          />
          <button type="submit" className={BUTTON.secondary}>
            Set
          </button>
        </form>
      ) : null}
      {server.behaviour === 'respond' ? <RespondSettingsHere server={server} onConfigure={onConfigure} /> : null}
      <p className="text-slate-500 dark:text-slate-400">
        Backlog {server.backlog}: handshakes the kernel completes and queues before{' '}
        <code className="font-mono">accept()</code> takes them.
      </p>
    </div>
  )
}

function RespondSettingsHere({ server, onConfigure }: ServerSettingsPanelProps): ReactNode {
  return <RespondSettings key={server.id} server={server} onConfigure={onConfigure} />
}
