import type { Result, SavedPayload, Sequence } from '@shared/contract'
import type { ConnectionInfo, LabEvent, SequenceRun } from '@shared/model'
import { LabFailure } from '../errors'

/** Most sequences sending at once, lab-wide (each holds one timer). */
export const SEQUENCE_MAX_RUNNING = 64
/** Finished runs kept so `sequence:stop` can still answer for them. */
const FINISHED_KEPT = 50
/** How often running sequences check that their connection is still open (so a long wait ends when it closes). */
export const SEQUENCE_WATCH_MS = 1_000

/** What a runner needs from the hub. */
export interface SequenceHost {
  run(name: 'connection:send', payload: unknown): Promise<Result<unknown>>
  publish(event: LabEvent): void
  connection(id: number): ConnectionInfo | undefined
}

interface Run {
  info: SequenceRun
  payloads: SavedPayload[]
  delays: number[]
  timer: ReturnType<typeof setTimeout> | null
}

/** Sends sequences of saved payloads, each step after its delay, to one connection; stoppable; progress as events. */
export class SequenceRunner {
  private readonly runs = new Map<number, Run>()
  private nextId = 1
  private watch: ReturnType<typeof setInterval> | null = null

  constructor(private readonly host: SequenceHost) {}

  /** Starts a sequence on a connection; refuses (changing nothing) if it cannot be sent there. */
  start(connectionId: number, sequence: Sequence, payloads: ReadonlyMap<string, SavedPayload>): SequenceRun {
    const conn = this.host.connection(connectionId)
    if (!conn) throw new LabFailure('not-found', `There is no connection ${connectionId}`, 'It may have been cleared.')
    if (conn.state === 'closed' || conn.state === 'lab-half-closed') {
      throw new LabFailure(
        'not-writable',
        `Connection ${connectionId} can no longer be written to`,
        'It is closed, or the lab already half-closed it.'
      )
    }
    const running = [...this.runs.values()].filter((r) => r.info.state === 'running')
    if (running.some((r) => r.info.connectionId === connectionId)) {
      throw new LabFailure('busy', `A sequence is already being sent to connection ${connectionId}`, 'Stop it first.')
    }
    if (running.length >= SEQUENCE_MAX_RUNNING) {
      throw new LabFailure('too-many', `${SEQUENCE_MAX_RUNNING} sequences are already running`, 'Stop one first.')
    }
    const steps = sequence.steps.map((s, i) => {
      const p = payloads.get(s.payload)
      if (!p)
        throw new LabFailure(
          'not-found',
          `Step ${i + 1} of ${JSON.stringify(sequence.name)} names no saved payload ${JSON.stringify(s.payload)}`
        )
      return p
    })
    const run: Run = {
      info: {
        runId: this.nextId++,
        sequenceName: sequence.name,
        connectionId,
        sent: 0,
        steps: steps.length,
        state: 'running',
        nextAt: null,
        error: null
      },
      payloads: steps,
      delays: sequence.steps.map((s) => s.delayMs),
      timer: null
    }
    this.runs.set(run.info.runId, run)
    this.forgetOld()
    this.watchConnections()
    this.next(run)
    return { ...run.info }
  }

  /** Stops a run (a step already handed to the socket is not taken back). */
  stop(runId: number): SequenceRun {
    const run = this.runs.get(runId)
    if (!run) throw new LabFailure('not-found', `There is no sequence run ${runId}`)
    if (run.info.state === 'running') this.finish(run, 'stopped', null)
    return { ...run.info }
  }

  /** Stops every run (the lab closes). */
  stopAll(): void {
    for (const run of this.runs.values()) if (run.info.state === 'running') this.finish(run, 'stopped', null)
  }

  private next(run: Run): void {
    if (run.info.state !== 'running') return
    if (run.info.sent >= run.payloads.length) {
      this.finish(run, 'done', null)
      return
    }
    const delay = run.delays[run.info.sent]
    run.info.nextAt = Date.now() + delay
    this.progress(run)
    run.timer = setTimeout(() => void this.sendStep(run), delay)
  }

  private async sendStep(run: Run): Promise<void> {
    run.timer = null
    if (run.info.state !== 'running') return
    const p = run.payloads[run.info.sent]
    const r = await this.host.run('connection:send', {
      connectionId: run.info.connectionId,
      payload: { format: p.format, text: p.text, lineEnding: p.lineEnding }
    })
    if (run.info.state !== 'running') return
    if (!r.ok) {
      this.finish(run, 'failed', `Step ${run.info.sent + 1} (${p.name}): ${r.error.message}`)
      return
    }
    run.info.sent++
    this.next(run)
  }

  private finish(run: Run, state: SequenceRun['state'], error: string | null): void {
    if (run.timer) clearTimeout(run.timer)
    run.timer = null
    run.info.state = state
    run.info.nextAt = null
    run.info.error = error
    this.progress(run)
    if (this.watch && ![...this.runs.values()].some((r) => r.info.state === 'running')) {
      clearInterval(this.watch)
      this.watch = null
    }
  }

  // One timer for every running sequence (at most SEQUENCE_MAX_RUNNING), only while any runs.
  private watchConnections(): void {
    if (this.watch) return
    this.watch = setInterval(() => {
      for (const run of this.runs.values()) {
        if (run.info.state !== 'running') continue
        const c = this.host.connection(run.info.connectionId)
        if (!c || c.state === 'closed' || c.state === 'lab-half-closed') {
          this.finish(
            run,
            'failed',
            `Connection ${run.info.connectionId} closed after ${run.info.sent} of ${run.info.steps} steps`
          )
        }
      }
    }, SEQUENCE_WATCH_MS)
    this.watch.unref?.()
  }

  private progress(run: Run): void {
    this.host.publish({ type: 'sequence.progress', at: Date.now(), run: { ...run.info } })
  }

  private forgetOld(): void {
    const finished = [...this.runs.values()].filter((r) => r.info.state !== 'running')
    for (const r of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) this.runs.delete(r.info.runId)
  }
}
