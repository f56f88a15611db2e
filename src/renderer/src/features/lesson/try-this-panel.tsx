import { useState } from 'react'
import type { ReactElement } from 'react'
import type { ServerInfo } from '@shared/model'
import { endpointText } from '@renderer/store/describe'
import { buildExperiments } from './experiments'
import { buildProxyExperiments } from './proxy-experiments'
import type { ProxyInfo } from '@shared/proxy-model'
import type { Experiment } from './experiments'
import { ExperimentAction, ExperimentCheck } from './experiment-tools'

function CopyCommand({ command }: { command: string }): ReactElement {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(command)
      setCopied('yes')
    } catch {
      setCopied('no')
    }
  }
  return (
    <span className="mt-0.5 flex items-center gap-2">
      <code className="rounded bg-slate-900 px-2 py-0.5 font-mono text-xs text-slate-100 dark:bg-black">{command}</code>
      <button
        type="button"
        aria-label={`Copy command: ${command}`}
        onClick={() => void copy()}
        className="rounded border border-slate-300 px-1.5 text-xs hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-700"
      >
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select and copy' : 'Copy'}
      </button>
    </span>
  )
}

function ExperimentCard({ e, servers }: { e: Experiment; servers: ServerInfo[] }): ReactElement {
  // The tools (checks, load, hunt) are mounted only while the card is open: nothing runs for a closed card.
  const [open, setOpen] = useState(false)
  return (
    <details
      className="rounded border border-slate-200 p-2 dark:border-slate-700"
      data-experiment={e.id}
      onToggle={(ev) => setOpen((ev.currentTarget as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer text-sm font-medium">
        {e.title}
        <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">
          {e.server
            ? `using ${e.server.behaviour} on ${endpointText(e.server.bound, e.server.family)}`
            : `needs ${e.needs ? `a server with behaviour ${e.needs}` : 'a running server'}`}
        </span>
      </summary>
      {e.startHint && <p className="mt-1 rounded bg-sky-50 px-2 py-1 text-xs dark:bg-sky-950/40">{e.startHint}</p>}
      {e.expect && (
        <p className="mt-1 text-xs">
          <span className="font-semibold">Expect: </span>
          {e.expect}
        </p>
      )}
      <ol className="mt-1 list-decimal pl-5 text-sm">
        {e.steps.map((s, i) => (
          <li key={i} className="mb-1">
            {s.text}
            {s.command && <CopyCommand command={s.command} />}
          </li>
        ))}
      </ol>
      <p className="mt-1 text-xs font-semibold">What to watch</p>
      <ul className="list-disc pl-5 text-xs text-slate-600 dark:text-slate-300">
        {e.watch.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
      {open && e.action && <ExperimentAction action={e.action} servers={servers} />}
      {open && e.check && <ExperimentCheck check={e.check} />}
    </details>
  )
}

/** Guided experiments with exact terminal commands for the user's own running servers. */
export function TryThisPanel({
  servers,
  proxies = []
}: {
  servers: ServerInfo[]
  proxies?: readonly ProxyInfo[]
}): ReactElement {
  const experiments = [...buildExperiments(servers), ...buildProxyExperiments(servers, proxies)]
  return (
    <section aria-label="Try this" className="flex flex-col gap-2">
      <h2 className="text-base font-semibold">Try this</h2>
      {experiments.map((e) => (
        <ExperimentCard key={e.id} e={e} servers={servers} />
      ))}
    </section>
  )
}
