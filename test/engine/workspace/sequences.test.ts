import { afterEach, describe, expect, it } from 'vitest'
import type { SequenceRun } from '@shared/model'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { startPeer } from '../../helpers/processes'
import type { LivePeer } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'

let lab: TestLab
const peers: LivePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.kill()
  await lab?.dispose()
})

/** Every progress event of one run, in the order the batches carried them. */
function progress(runId: number): SequenceRun[] {
  return lab.batches.flatMap((b) =>
    b.events.flatMap((e) => (e.type === 'sequence.progress' && e.run.runId === runId ? [e.run] : []))
  )
}

async function ncConnection(): Promise<{ peer: LivePeer; connectionId: number }> {
  const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
  const peer = startPeer('nc', ['127.0.0.1', String(server.bound.port)])
  peers.push(peer)
  const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'open', 'nc to connect')
  return { peer, connectionId: conn.id }
}

describe('sequences of saved payloads', () => {
  it('sends each step to nc in order, after its delay, and reports progress to the end', async () => {
    lab = createTestLab()
    const { peer, connectionId } = await ncConnection()
    await lab.ok('payload:save', { payload: { name: 'login', format: 'text', text: 'USER bob', lineEnding: 'crlf' } })
    await lab.ok('payload:save', {
      payload: { name: 'pass', format: 'escapes', text: 'PASS s\\x65cret\\r\\n', lineEnding: 'none' }
    })
    await lab.ok('payload:save', {
      payload: { name: 'quit', format: 'hex', text: '51 55 49 54 0a', lineEnding: 'none' }
    })
    await lab.ok('sequence:save', {
      sequence: {
        name: 'session',
        steps: [
          { payload: 'login', delayMs: 0 },
          { payload: 'pass', delayMs: 150 },
          { payload: 'quit', delayMs: 150 },
          { payload: 'login', delayMs: 0 }
        ]
      }
    })
    const started = Date.now()
    const run = await lab.ok('sequence:run', { connectionId, sequenceName: 'session' })
    expect(run).toMatchObject({ state: 'running', steps: 4, sent: 0 })
    const expected = 'USER bob\r\nPASS secret\r\nQUIT\nUSER bob\r\n'
    await waitFor(() => peer.output().toString() === expected, {
      what: 'nc to receive all four steps',
      timeoutMs: 5_000
    })
    // Two delays of 150 ms lie between the first and the last step (bounds with margin: timers are never early).
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const events = await waitFor(
      () => {
        const p = progress(run.runId)
        return p.at(-1)?.state === 'done' ? p : null
      },
      { what: 'the done event' }
    )
    expect(events.map((e) => e.sent)).toEqual([0, 1, 2, 3, 4])
    expect(events.map((e) => e.state)).toEqual(['running', 'running', 'running', 'running', 'done'])
    expect(lab.conn(connectionId).bytesOut).toBe(Buffer.byteLength(expected))
    expect(lab.conn(connectionId).chunksOut).toBe(4)
  })

  it('stops between steps: nothing after the stop reaches nc', async () => {
    lab = createTestLab()
    const { peer, connectionId } = await ncConnection()
    await lab.ok('payload:save', { payload: { name: 'one', format: 'text', text: 'one', lineEnding: 'lf' } })
    await lab.ok('payload:save', { payload: { name: 'two', format: 'text', text: 'two', lineEnding: 'lf' } })
    await lab.ok('sequence:save', {
      sequence: {
        name: 's',
        steps: [
          { payload: 'one', delayMs: 0 },
          { payload: 'two', delayMs: 60_000 }
        ]
      }
    })
    const run = await lab.ok('sequence:run', { connectionId, sequenceName: 's' })
    await waitFor(() => peer.output().toString() === 'one\n', { what: 'the first step' })
    // A second run on the same connection is refused while this one runs.
    const busy = await lab.session.handle('sequence:run', { connectionId, sequenceName: 's' })
    expect(busy).toMatchObject({ ok: false, error: { code: 'busy' } })
    const stopped = await lab.ok('sequence:stop', { runId: run.runId })
    expect(stopped).toMatchObject({ state: 'stopped', sent: 1, nextAt: null })
    // nc echoes nothing back; a marker sent afterwards arrives right after "one", so "two" never went out.
    await lab.ok('connection:send', { connectionId, payload: { format: 'text', text: 'marker', lineEnding: 'lf' } })
    await waitFor(() => peer.output().toString() === 'one\nmarker\n', { what: 'the marker' })
    expect(progress(run.runId).at(-1)?.state).toBe('stopped')
  })

  it('a run waiting on a long delay ends (failed) soon after its connection closes', async () => {
    lab = createTestLab()
    const { peer, connectionId } = await ncConnection()
    await lab.ok('payload:save', { payload: { name: 'a', format: 'text', text: 'a', lineEnding: 'none' } })
    await lab.ok('sequence:save', {
      sequence: {
        name: 'slow',
        steps: [
          { payload: 'a', delayMs: 0 },
          { payload: 'a', delayMs: 600_000 }
        ]
      }
    })
    const run = await lab.ok('sequence:run', { connectionId, sequenceName: 'slow' })
    await waitFor(() => peer.output().toString() === 'a', { what: 'step one' })
    await lab.ok('connection:action', { connectionId, action: 'reset' })
    const last = await waitFor(
      () => {
        const p = progress(run.runId).at(-1)
        return p?.state === 'failed' ? p : null
      },
      { what: 'the run to end', timeoutMs: 5_000 }
    )
    expect(last).toMatchObject({ sent: 1, error: `Connection ${connectionId} closed after 1 of 2 steps` })
  })

  it('fails with the step named when the connection closes, and refuses what names nothing', async () => {
    lab = createTestLab()
    const { peer, connectionId } = await ncConnection()
    await lab.ok('payload:save', { payload: { name: 'a', format: 'text', text: 'a', lineEnding: 'none' } })
    await lab.ok('sequence:save', {
      sequence: {
        name: 's',
        steps: [
          { payload: 'a', delayMs: 0 },
          { payload: 'a', delayMs: 300 }
        ]
      }
    })
    const run = await lab.ok('sequence:run', { connectionId, sequenceName: 's' })
    await waitFor(() => peer.output().toString() === 'a', { what: 'step one' })
    await lab.ok('connection:action', { connectionId, action: 'close' })
    const last = await waitFor(
      () => {
        const p = progress(run.runId).at(-1)
        return p?.state === 'failed' ? p : null
      },
      { what: 'the failure' }
    )
    // Whichever notices first: the step that cannot be written, or the once-a-second check of the connection.
    expect(last.error).toMatch(
      /^(Step 2 \(a\): Connection \d+ can no longer be written to|Connection \d+ closed after 1 of 2 steps)/
    )
    expect(await lab.session.handle('sequence:run', { connectionId, sequenceName: 's' })).toMatchObject({
      ok: false,
      error: { code: 'not-writable' }
    })
    expect(await lab.session.handle('sequence:run', { connectionId, sequenceName: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })
    expect(
      await lab.session.handle('sequence:save', { sequence: { name: 'x', steps: [{ payload: 'missing' }] } })
    ).toMatchObject({
      ok: false,
      error: { message: 'steps[0].payload: there is no saved payload named "missing"' }
    })
    expect(await lab.session.handle('payload:delete', { name: 'a' })).toMatchObject({
      ok: false,
      error: { code: 'in-use' }
    })
    expect(
      await lab.session.handle('sequence:save', {
        sequence: { name: 'x', steps: [{ payload: 'a', delayMs: 600_001 }] }
      })
    ).toMatchObject({
      ok: false,
      error: { message: 'sequence.steps.0.delayMs: delayMs is at most 600000 (10 minutes)' }
    })
  })
})
