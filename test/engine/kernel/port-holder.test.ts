import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { whoHoldsPort } from '../../../src/main/engine/kernel/port-holder'
import { parseProcNetTcp } from '../../../src/main/engine/kernel/proc-net-parser'
import { clearSocketOwnerCache, lookupSocketOwners } from '../../../src/main/engine/kernel/socket-owners'
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

/** Whether /proc/net/tcp shows a listener on the port; reads the table only, never the owner cache. */
async function listedInProc(port: number): Promise<true | undefined> {
  const text = await readFile('/proc/net/tcp', 'latin1')
  const found = parseProcNetTcp(text, 'IPv4', 'LE', (state, local) => state === 'LISTEN' && local === port)
  return found.length > 0 ? true : undefined
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
    expect(await pollUntil(() => whoHoldsPort(portOf(s)), 'own listener')).toMatch(
      new RegExp(`^pid ${process.pid} \\(`)
    )
    const port = await freePort()
    expect(await whoHoldsPort(port)).toBeUndefined()
  })
  it('names a holder that started just after the owner cache was filled', async () => {
    for (let round = 0; round < 5; round++) {
      // A full scan now, so the shared cache is fresh and lacks nc's socket.
      clearSocketOwnerCache()
      await lookupSocketOwners([1])
      const port = await freePort()
      const nc = startNc(port)
      await pollUntil(() => listedInProc(port), `nc to listen (round ${round})`)
      expect(await whoHoldsPort(port), `round ${round}`).toBe(`pid ${nc.pid} (nc)`)
      await cleanups.pop()?.()
    }
  })
})
