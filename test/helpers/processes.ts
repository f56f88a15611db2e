import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

/** What a finished peer process printed. */
export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
}

/** Runs a real peer (nc, socat, telnet, curl) to completion, killed after `timeoutMs`. */
export function run(
  cmd: string,
  args: string[],
  { input, timeoutMs = 10_000 }: { input?: string | Buffer; timeoutMs?: number } = {}
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'pipe' })
    const out: Buffer[] = []
    let err = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err })
    })
    // A peer that exits before reading its input (nc refused, a fast failure) closes the pipe: EPIPE is not a test failure.
    child.stdin.on('error', () => {})
    if (input !== undefined) child.stdin.end(input)
  })
}

/** A long-running peer whose output is collected; kill it (or let the test's afterEach do so). */
export interface LivePeer {
  child: ChildProcessWithoutNullStreams
  output(): Buffer
  stderr(): string
  exited: Promise<number | null>
  kill(): void
}

/** Starts a real peer that keeps running (an interactive nc, telnet, socat). */
export function startPeer(cmd: string, args: string[]): LivePeer {
  const child = spawn(cmd, args, { stdio: 'pipe' })
  const out: Buffer[] = []
  let err = ''
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  // A peer left running must never outlive a test run.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  killer.unref()
  return {
    child,
    output: () => Buffer.concat(out),
    stderr: () => err,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }
}
