import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { whoHoldsPort } from '../../../src/main/engine/kernel/port-holder'
import { close, listen, pollUntil, portOf } from './helpers'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function freePort(): Promise<number> {
  const s = await listen()
  const p = portOf(s)
  await close(s)
  return p
}

function startNc(port: number): ChildProcess {
  const nc = spawn('nc', ['-l', '127.0.0.1', String(port)], { stdio: 'ignore' })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (nc.exitCode !== null || nc.signalCode !== null) return resolve()
        nc.once('exit', () => resolve())
        nc.kill()
      })
  )
  return nc
}

describe.runIf(process.platform === 'linux')('whoHoldsPort', () => {
  it('names nc and its pid when nc -l holds the port', async () => {
    const port = await freePort()
    const nc = startNc(port)
    const who = await pollUntil(() => whoHoldsPort(port), 'nc to listen')
    expect(who).toBe(`pid ${nc.pid} (nc)`)
    expect(await whoHoldsPort(port, '127.0.0.1')).toBe(`pid ${nc.pid} (nc)`)
    expect(await whoHoldsPort(port, '0.0.0.0')).toBe(`pid ${nc.pid} (nc)`)
    // A listener on 127.0.0.1 does not stop another loopback address from binding the same port.
    expect(await whoHoldsPort(port, '127.0.0.2')).toBeUndefined()
  })

  it('names this process for its own listener, and nothing for a free port', async () => {
    const s = await listen()
    cleanups.push(() => close(s))
    expect(await pollUntil(() => whoHoldsPort(portOf(s)), 'own listener')).toMatch(new RegExp(`^pid ${process.pid} \\(`))
    const port = await freePort()
    expect(await whoHoldsPort(port)).toBeUndefined()
  })
})
