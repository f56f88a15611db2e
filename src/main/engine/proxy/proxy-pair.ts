import type { ToxicInfo, ToxicStream } from '@shared/proxy-model'
import type { ConnectionHandlers, LabConnection } from '../lab-connection'
import { Pipe } from './pipe'
import type { PipeOwner } from './pipe'
import { selectsPair } from './condition'
import type { DirectionResponder } from './proxy-responder'

/** Close reasons after which the other leg is reset rather than closed: an abort is passed on as an abort. */
const ABORTS = new Set(['peer-reset', 'lab-reset', 'error'])

/** A client leg and its upstream leg, joined by two pipes (`upstream` client → server, `downstream` back). */
export class ProxyPair implements PipeOwner {
  readonly up: Pipe
  readonly down: Pipe
  private done = false

  constructor(
    readonly client: LabConnection,
    readonly upstream: LabConnection,
    /** 1-based: the how-manieth pair of its proxy. */
    readonly index: number,
    toxics: readonly ToxicInfo[],
    private readonly onDone: (pair: ProxyPair) => void,
    /** The proxy's responders per direction (proxy:respond). */
    responders: Partial<Record<ToxicStream, DirectionResponder>> = {}
  ) {
    this.up = new Pipe('upstream', client, upstream, this)
    this.down = new Pipe('downstream', upstream, client, this)
    for (const t of toxics) this.addToxic(t)
    this.setResponder('upstream', responders.upstream ?? null)
    this.setResponder('downstream', responders.downstream ?? null)
    client.handlers = this.handlers(this.up, this.down)
    upstream.handlers = this.handlers(this.down, this.up)
  }

  /** The pair's id: its client leg's connection id. */
  get id(): number {
    return this.client.id
  }

  /** Adds a fault to the pipe of its stream; toxicity and connection choice are drawn here, once. */
  addToxic(t: ToxicInfo): void {
    this.pipe(t).addToxic(t, this.draws(t))
  }

  /** New attributes or toxicity for a fault. */
  updateToxic(t: ToxicInfo, toxicityChanged: boolean): void {
    this.pipe(t).updateToxic(t, toxicityChanged ? this.draws(t) : null)
  }

  /** Removes a fault by name from either pipe. */
  removeToxic(t: ToxicInfo): void {
    this.pipe(t).removeToxic(t.name)
  }

  /** Sets or clears the responder of one direction (a new message cutter for this pair). */
  setResponder(stream: ToxicStream, settings: DirectionResponder | null): void {
    ;(stream === 'upstream' ? this.up : this.down).setResponder(settings)
  }

  /** Closes both legs (the proxy is disabled or deleted). */
  close(): void {
    this.client.close('lab-close')
    this.upstream.close('lab-close')
  }

  /** PipeOwner: a direction's FIN reached its sink. */
  pipeEnded(pipe: Pipe): void {
    if (pipe.closePairAtEnd) {
      pipe.sink.close('lab-close')
      pipe.source.close('lab-close')
    } else if (pipe.source.closed) pipe.sink.close('lab-close')
    else pipe.sink.halfClose()
  }

  /** PipeOwner: a fault ends the pair. */
  endPair(how: 'close' | 'reset'): void {
    if (how === 'reset') {
      this.client.reset('lab-reset')
      this.upstream.reset('lab-reset')
    }
    // 'close': the pipe closes both legs once its end reaches the sink (pipeEnded).
  }

  private draws(t: ToxicInfo): boolean {
    return selectsPair(t.condition, this.index, this.id) && Math.random() < t.toxicity
  }

  private pipe(t: ToxicInfo): Pipe {
    return t.stream === 'upstream' ? this.up : this.down
  }

  private handlers(out: Pipe, into: Pipe): ConnectionHandlers {
    return {
      onData: (_c, chunk, at) => out.push(chunk, at),
      onPeerEnd: () => out.end(),
      onDrain: () => {
        into.sinkDrained()
        out.sourceDrained()
      },
      onClose: (c) => this.legClosed(c, out, into)
    }
  }

  private legClosed(leg: LabConnection, out: Pipe, into: Pipe): void {
    into.sinkClosed()
    const other = out.sink
    if (other.closed) return this.finish()
    if (ABORTS.has(leg.closeReason ?? '')) other.reset('lab-reset')
    else if (out.endDelivered) other.close('lab-close')
    // Otherwise the end travels through the faults first; pipeEnded closes the other leg.
    else out.end()
  }

  private finish(): void {
    if (this.done) return
    this.done = true
    this.up.dispose()
    this.down.dispose()
    this.onDone(this)
  }
}
