import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

let lab: TestLab
const procs: LivePeer[] = []
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill()
  await lab?.dispose()
})

describe('chat', () => {
  it('fans each line out to every other nc peer with the sender prefix, and announces joins and leaves', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chat' })
    const join = async (n: number): Promise<{ nc: LivePeer; label: string }> => {
      const nc = startPeer('nc', ['-N', '127.0.0.1', String(s.bound.port)])
      procs.push(nc)
      const c = await lab.waitConn((c) => c.id === n && c.state === 'open', `peer ${n} to connect`)
      return { nc, label: `127.0.0.1:${c.remote.port}` }
    }
    const out = (p: { nc: LivePeer }): string => p.nc.output().toString()
    const until = (p: { nc: LivePeer }, text: string) =>
      waitFor(() => out(p).includes(text), { what: `peer output to contain ${JSON.stringify(text)}` })

    const a = await join(1)
    const b = await join(2)
    await until(a, `* ${b.label} joined\n`)
    const c = await join(3)
    await until(a, `* ${c.label} joined\n`)
    await until(b, `* ${c.label} joined\n`)

    a.nc.child.stdin.write('hello all\n')
    await until(b, `[${a.label}] hello all\n`)
    await until(c, `[${a.label}] hello all\n`)
    b.nc.child.stdin.write('hi from b\n')
    await until(a, `[${b.label}] hi from b\n`)
    await until(c, `[${b.label}] hi from b\n`)

    // c ends its input: its last partial line is delivered, then it leaves.
    c.nc.child.stdin.end('bye')
    await until(a, `[${c.label}] bye\n* ${c.label} left\n`)
    await until(b, `* ${c.label} left\n`)
    await c.nc.exited

    expect(out(a)).toBe(
      `* ${b.label} joined\n* ${c.label} joined\n[${b.label}] hi from b\n[${c.label}] bye\n* ${c.label} left\n`
    )
    expect(out(b)).toBe(`* ${c.label} joined\n[${a.label}] hello all\n[${c.label}] bye\n* ${c.label} left\n`)
    expect(out(c)).toBe(`[${a.label}] hello all\n[${b.label}] hi from b\n`)
    expect(lab.conn(1).bytesIn).toBe('hello all\n'.length)
  })

  it('a line split across chunks is sent once complete', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chat' })
    const a = startPeer('nc', ['127.0.0.1', String(s.bound.port)])
    procs.push(a)
    await lab.waitConn((c) => c.id === 1, 'the first peer')
    const b = startPeer('nc', ['127.0.0.1', String(s.bound.port)])
    procs.push(b)
    await lab.waitConn((c) => c.id === 2, 'the second peer')
    await waitFor(() => a.output().includes('joined'), { what: 'join line' })
    b.child.stdin.write('par')
    await lab.waitConn((c) => c.id === 2 && c.bytesIn === 3, 'first part read')
    expect(a.output().toString()).not.toContain('par')
    b.child.stdin.write('tial\n')
    await waitFor(() => a.output().toString().endsWith('] partial\n'), { what: 'the completed line' })
  })
})
