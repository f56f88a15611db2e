// V8 heap options the lab's process needs, for browser mode (plain Node) and Electron's main process.
//
// Why: V8 counts the backing stores of young ArrayBuffers (every socket read is a fresh 64 KiB Buffer)
// as "external memory allocated since the last mark-compact" against the OLD generation's allocation
// limit. After start-up the limit is recomputed from a small live heap (~8 MB × a growing factor that
// shrinks when GC is frequent ≈ 23 MB), while a flood keeps ~30–40 MB of read buffers in flight between
// two scavenges (they die young: scavenges free them, mark-compacts free nothing). So every ~35 ms the
// limit is "reached", a full mark-compact runs, lowers the mutator utilisation, which lowers the growing
// factor again: a feedback loop that cost 30–50 % of the echo rate. A floor under the old generation's
// limit (--initial-old-space-size) breaks it. The flag only works at start-up (V8 reads it when it sizes
// the heap; v8.setFlagsFromString later changes nothing), hence the re-exec / relaunch below.
import { spawn } from 'node:child_process'

/**
 * The V8 flags the lab's process starts with: the old generation's floor (MB, far below what a flood keeps in
 * flight anyway), and a cap on the young generation's semi-spaces (MB). Without the cap, opening thousands of
 * connections grows the young generation to V8's default 16 MB semi-spaces and keeps their pages (13 MB of
 * resident memory at 10,000 idle connections); a flood never needs more than 8 (same scavenge counts either way).
 */
export const HEAP_FLAGS: readonly string[] = ['--initial-old-space-size=64', '--max-semi-space-size=8']

/**
 * glibc malloc settings for the lab's process (environment, read at start-up; other C libraries ignore them).
 * Why: the read buffers of a flood are freed together, ~30 MB at each scavenge; with glibc's default 128 KiB
 * trim threshold the freed heap top goes back to the kernel at once and the next reads fault fresh pages
 * in again (measured through a proxy: up to 170,000 page faults per GB echoed, 0.1–0.3 s CPU per GB). Up
 * to 32 MiB of free heap top stays mapped instead (RSS after a flood may stay that much higher).
 * Values already in the environment win.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_TOP_PAD_: String(4 * 1024 * 1024)
}

/** Set in the environment of a process started with HEAP_FLAGS, so it never re-executes itself again. */
export const HEAP_CHILD_ENV = 'TCP_LAB_HEAP_CHILD'

/** The HEAP_FLAGS missing from a process's V8/Node arguments (by flag name, any value counts). */
export function missingHeapFlags(args: readonly string[]): string[] {
  const name = (f: string): string => f.split('=')[0].replace(/_/g, '-')
  const present = new Set(args.map(name))
  return HEAP_FLAGS.filter((f) => !present.has(name(f)))
}

/**
 * Browser mode: when this Node process lacks HEAP_FLAGS, runs the same script again with them and acts
 * as a thin supervisor (stdio shared, signals forwarded, the child's exit code returned). Returns null
 * when this process already has them (or is such a child) and should run the lab itself.
 */
export function reexecWithHeapFlags(): Promise<number> | null {
  if (process.env[HEAP_CHILD_ENV] === '1') return null
  const missing = missingHeapFlags([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)])
  if (missing.length === 0) return null
  const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    // The IPC channel tells the child when this supervisor is gone (even by SIGKILL): it shuts down then.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...MALLOC_ENV, ...process.env, [HEAP_CHILD_ENV]: '1' }
  })
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  // A terminal's Ctrl-C reaches both processes; the child decides, this one waits for it.
  process.on('SIGINT', () => forward('SIGINT'))
  process.on('SIGTERM', () => forward('SIGTERM'))
  process.on('SIGHUP', () => forward('SIGHUP'))
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`tcp-lab: cannot start the lab process: ${err.message}\n`)
      resolve(1)
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)))
  })
}

/** In a HEAP_FLAGS child: exits when the supervisor that started it is gone, so no lab outlives it. */
export function exitWithSupervisor(shutdown: () => void): void {
  if (process.env[HEAP_CHILD_ENV] !== '1' || typeof process.send !== 'function') return
  process.on('disconnect', shutdown)
  // The channel must not keep the lab alive by itself.
  process.channel?.unref()
}

/** The Electron switch that gives the main process HEAP_FLAGS: `--js-flags` read at start-up. */
export const ELECTRON_JS_FLAGS = `--js-flags=${HEAP_FLAGS.join(' ')}`

/** Whether Electron's main process was started with HEAP_FLAGS (through `--js-flags`). */
export function electronHasHeapFlags(argv: readonly string[]): boolean {
  const js = argv.filter((a) => a.startsWith('--js-flags=')).flatMap((a) => a.slice('--js-flags='.length).split(/\s+/))
  return missingHeapFlags([...process.execArgv, ...js]).length === 0
}

/** The part of Electron's `app` the relaunch needs (the engine side never imports electron). */
export interface RelaunchableApp {
  isPackaged: boolean
  relaunch(options: { args: string[] }): void
  exit(code?: number): void
}

/**
 * Electron's main process: `--js-flags` only reaches the main process's V8 when given at launch, so a
 * packaged app started without it relaunches itself once with it (returns true: this process exits).
 * Unpackaged runs get the switch from package.json's dev/start scripts.
 */
export function relaunchElectronWithHeapFlags(app: RelaunchableApp, argv: readonly string[] = process.argv): boolean {
  if (!app.isPackaged || process.env[HEAP_CHILD_ENV] === '1' || electronHasHeapFlags(argv)) return false
  // Inherited by the relaunched process: a second relaunch can never happen, even if V8 ignored the flag.
  process.env[HEAP_CHILD_ENV] = '1'
  for (const [k, v] of Object.entries(MALLOC_ENV)) process.env[k] ??= v
  app.relaunch({ args: [...argv.slice(1), ELECTRON_JS_FLAGS] })
  app.exit(0)
  return true
}
