// `tcp-lab web`: the lab headless in plain Node, its UI served to a browser. Never imports electron.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createLabHub } from '../engine/lab-hub'
import type { LabHub } from '../engine/lab-hub'
import { isLoopbackHost, parseCliArgs, USAGE } from '../launch/cli-args'
import { listenTarget, startListeners } from '../launch/launch-listeners'
import { startLaunchProxies } from '../launch/launch-proxies'
import { startToxiproxyApi } from '../api/toxiproxy-api'
import { restoreLaunchApi, startLaunchApi } from '../launch/launch-api'
import { openLaunchWorkspace } from '../launch/launch-workspace'
import { startLaunchRecording } from '../launch/launch-record'
import { startWebServer } from './web-server'
import type { WebServer } from './web-server'
import { isWildcard } from './web-security'
import { bracketHost, hostPort } from '@shared/endpoint-format'
import { exitWithSupervisor, reexecWithHeapFlags } from '../launch/heap-options'

/** Longest a Ctrl-C shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 5_000

/** Where the built renderer lies next to this bundle (out/main/cli.js → out/renderer). */
function rendererDir(): string {
  return resolve(__dirname, '../renderer')
}

/** Runs `tcp-lab web` with the given arguments; resolves with the exit code when it should end early. */
export async function main(argv: readonly string[]): Promise<number | null> {
  const parsed = parseCliArgs(argv)
  if (!parsed.ok) {
    process.stderr.write(`tcp-lab: ${parsed.error}\n`)
    return 2
  }
  const opts = parsed.value
  if (opts.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (opts.command !== 'web') {
    process.stderr.write(`tcp-lab: name a command (web)\n\n${USAGE}`)
    return 2
  }
  const staticDir = rendererDir()
  if (!existsSync(join(staticDir, 'index.html'))) {
    process.stderr.write(
      `tcp-lab: the UI is not built (${staticDir}/index.html is missing); run: npx electron-vite build\n`
    )
    return 1
  }

  // TCP_LAB_TOKEN reuses a token across restarts, so an open page reconnects by itself (kept out of argv and `ps`).
  const fixedToken = process.env.TCP_LAB_TOKEN
  if (fixedToken !== undefined && !/^[0-9a-f]{32,128}$/i.test(fixedToken)) {
    process.stderr.write('tcp-lab: TCP_LAB_TOKEN must be 32 to 128 hex digits (e.g. from: openssl rand -hex 16)\n')
    return 2
  }
  const hub: LabHub = createLabHub({ serveApi: startToxiproxyApi })
  let web: WebServer
  try {
    web = await startWebServer({
      hub,
      host: opts.uiHost,
      port: opts.uiPort,
      staticDir,
      ...(fixedToken ? { token: fixedToken.toLowerCase() } : {})
    })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${opts.uiPort} is already in use; pass --ui-port with another port, or --ui-port 0 for any free one`
        : `${e.code ?? ''} ${e.message}`.trim()
    process.stderr.write(`tcp-lab: cannot serve the UI on ${hostPort(opts.uiHost, opts.uiPort)}: ${why}\n`)
    await hub.dispose()
    return 1
  }

  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    const force = setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS)
    force.unref()
    void Promise.allSettled([hub.dispose(), web.close()]).then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  exitWithSupervisor(shutdown)

  if (!isLoopbackHost(opts.uiHost)) {
    process.stderr.write(
      `WARNING: the UI listens on ${bracketHost(opts.uiHost)}${isWildcard(opts.uiHost) ? ' (every interface)' : ''}, not on loopback.\n` +
        '  Anyone who can reach this port and learns the URL with its token can open sockets on this machine.\n' +
        '  Prefer the default 127.0.0.1 and an SSH tunnel: ssh -L 7357:127.0.0.1:7357 user@host\n'
    )
  }

  const failure = await startListeners(hub, opts.listen)
  if (failure) {
    const { error } = failure
    process.stderr.write(
      `tcp-lab: cannot listen on ${listenTarget(failure.spec)}: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`
    )
    await Promise.allSettled([hub.dispose(), web.close()])
    return 1
  }
  // Before the workspace, so the command line's address wins over the saved preference (and is not saved).
  const apiFailure = await startLaunchApi(hub, opts)
  if (apiFailure) {
    process.stderr.write(`tcp-lab: ${apiFailure}\n`)
    await Promise.allSettled([hub.dispose(), web.close()])
    return 1
  }
  // After --listen, so a server asked for on the command line wins a port the workspace also names.
  if (opts.workspace !== null) {
    await openLaunchWorkspace(hub, opts.workspace)
    await restoreLaunchApi(hub)
  }

  const launched = await startLaunchProxies(hub, opts)
  if (launched.error) {
    process.stderr.write(`tcp-lab: ${launched.error}\n`)
    await Promise.allSettled([hub.dispose(), web.close()])
    return 1
  }

  const recordFailure = await startLaunchRecording(hub, opts.record)
  if (recordFailure) {
    process.stderr.write(`${recordFailure}\n`)
    await Promise.allSettled([hub.dispose(), web.close()])
    return 1
  }

  process.stdout.write(`TCP Lab UI: ${web.url}\n`)
  return null
}

// The lab runs in a process started with the V8 heap options (see ../launch/heap-options.ts); --help needs none.
const supervised = process.argv.slice(2).some((a) => a === '--help' || a === '-h') ? null : reexecWithHeapFlags()
const run = supervised ?? main(process.argv.slice(2))
void run.then(
  (code) => {
    if (code !== null) process.exit(code)
  },
  (err: unknown) => {
    process.stderr.write(`tcp-lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  }
)
