import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** The browser-mode entry the build makes. */
// TCP_LAB_E2E_OUT points at another build output (e.g. a copy) when the tree's out/ is not the one to test.
const OUT_DIR = process.env.TCP_LAB_E2E_OUT ? resolve(process.env.TCP_LAB_E2E_OUT) : resolve(__dirname, '../../../out')
export const CLI_PATH = join(OUT_DIR, 'main', 'cli.js')
/** The built renderer the entry serves. */
export const RENDERER_INDEX = join(OUT_DIR, 'renderer', 'index.html')
/** Whether `npx electron-vite build` has produced both halves browser mode needs. */
export const webBuildReady = (): boolean => existsSync(CLI_PATH) && existsSync(RENDERER_INDEX)

/** The printed line, exactly. */
export const URL_LINE = /^TCP Lab UI: (http:\/\/([^/]+):(\d+)\/#token=([0-9a-f]{32,}))$/m

/** A running `tcp-lab web` process. */
export interface WebLab {
  child: ChildProcessWithoutNullStreams
  url: string
  /** `http://127.0.0.1:PORT`, no token. */
  origin: string
  port: number
  token: string
  stdout(): string
  stderr(): string
  /** Sends a signal and waits for the exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
}

/** Runs `node out/main/cli.js ...args` to completion (for --help and failures), bounded in time. */
export function runCli(
  args: string[],
  timeoutMs = 15_000
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
}

/** Starts `tcp-lab web --ui-port 0 ...args` and waits (bounded) for its URL line. */
export function startWebLab(args: string[] = [], timeoutMs = 20_000, env?: Record<string, string>): Promise<WebLab> {
  const uiPort = args.includes('--ui-port') ? [] : ['--ui-port', '0']
  const child = spawn(process.execPath, [CLI_PATH, 'web', ...uiPort, ...args], {
    stdio: 'pipe',
    env: env ? { ...process.env, ...env } : process.env
  })
  let stdout = ''
  let stderr = ''
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  // Never outlive the test run, whatever happens to afterAll.
  const killer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000)
  killer.unref()
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', stopTimeoutMs = 10_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
    const code = await exited
    clearTimeout(timer)
    clearTimeout(killer)
    return code
  }
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(new Error(`no URL line within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`))
    }, timeoutMs)
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const m = URL_LINE.exec(stdout)
      if (!m) return
      clearTimeout(timer)
      resolvePromise({
        child,
        url: m[1],
        origin: `http://${m[2]}:${m[3]}`,
        port: Number(m[3]),
        token: m[4],
        stdout: () => stdout,
        stderr: () => stderr,
        stop
      })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`tcp-lab web exited (${code}) before printing its URL; stderr: ${stderr}`))
    })
  })
}
