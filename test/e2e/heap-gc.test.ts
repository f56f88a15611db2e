import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { CLI_PATH, startWebLab, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'

const FLOOD_BYTES = 768 << 20
const FLOOD_TIMEOUT_MS = 30_000

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
  return text === '' ? [] : text.split(' ').map(Number)
}

/** Echoes FLOOD_BYTES through one connection with a 4 MiB window; resolves when all came back (bounded). */
function flood(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    const chunk = Buffer.alloc(64 << 10, 0x61)
    let sent = 0
    let back = 0
    const timer = setTimeout(
      () => (s.destroy(), reject(new Error(`flood: ${back} of ${FLOOD_BYTES} bytes back in time`))),
      FLOOD_TIMEOUT_MS
    )
    const pump = (): void => {
      while (sent < FLOOD_BYTES && sent - back < 4 << 20) {
        sent += chunk.length
        if (!s.write(chunk)) return
      }
    }
    s.on('connect', pump)
    s.on('drain', pump)
    s.on('data', (d: Buffer) => {
      back += d.length
      if (back >= FLOOD_BYTES) {
        clearTimeout(timer)
        s.destroy()
        resolve()
      } else pump()
    })
    s.on('error', reject)
  })
}

describe.skipIf(!webBuildReady())('browser mode: the V8 heap options that stop the GC loop', () => {
  let lab: WebLab | null = null
  afterEach(async () => {
    await lab?.stop()
    lab = null
  })

  it('serves from a process started with --initial-old-space-size, which ends with its supervisor', async () => {
    lab = await startWebLab()
    const [child] = childrenOf(lab.child.pid!)
    expect(child).toBeGreaterThan(0)
    const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')
    expect(cmdline).toContain('--initial-old-space-size=64')
    expect(cmdline).toContain('--max-semi-space-size=8')
    expect(cmdline).toContain(CLI_PATH)
    // And with the malloc settings of heap-options.ts (MALLOC_ENV), unless the environment already had them.
    const environ = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0')
    if (process.env.MALLOC_TRIM_THRESHOLD_ === undefined) expect(environ).toContain('MALLOC_TRIM_THRESHOLD_=33554432')
    // SIGKILL of the supervisor cannot be forwarded: the child notices the closed channel and exits.
    lab.child.kill('SIGKILL')
    await waitFor(() => !existsPid(child), {
      timeoutMs: 10_000,
      what: 'the lab process to exit after its supervisor'
    })
  })

  it('a 768 MB echo flood runs with (almost) no full mark-compacts', async () => {
    const proc = spawn(
      process.execPath,
      ['--trace-gc', CLI_PATH, 'web', '--ui-port', '0', '--listen', 'echo@127.0.0.1:0'],
      { stdio: 'pipe' }
    )
    let out = ''
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
    try {
      const port = await waitFor(() => Number(/Listening: echo on [^ ]*:(\d+)/.exec(out)?.[1]), {
        timeoutMs: 20_000,
        what: 'the echo listener'
      })
      const before = (out.match(/Mark-Compact/g) ?? []).length
      await flood(port)
      const during = (out.match(/Mark-Compact/g) ?? []).length - before
      // Without the heap floor this flood takes ~10–25 mark-compacts (one every ~35 ms); with it, none.
      expect(during).toBeLessThanOrEqual(2)
    } finally {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('close', r))
    }
  }, 60_000)
})

function existsPid(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
