import type { FaultMark, ToxicAttributes, ToxicInfo, ToxicStream } from '@shared/proxy-model'
import type { LabConnection } from '../lab-connection'
import type { Chunk, FaultStage, StageContext } from './stage'
import { STAGE_FACTORIES } from './toxics'
import { ByteGate, hasByteCondition } from './condition'
import type { DirectionResponder, ResponderPipe } from './proxy-responder'
import { PipeResponder } from './proxy-responder'

/**
 * Bytes one direction of a pair may hold inside the lab (in faults and not yet handed to the other
 * socket) before it stops reading from its source; reading resumes below PIPE_LOW_WATER. With the
 * other socket's own queue (which also pauses the source past 16 KiB) and one read in flight, a
 * direction holds at most about PIPE_HIGH_WATER + 2 × 64 KiB.
 */
export const PIPE_HIGH_WATER = 256 * 1024
/** See PIPE_HIGH_WATER. */
export const PIPE_LOW_WATER = 64 * 1024
/** Fault marks one leg keeps; older ones are dropped first. */
export const MARKS_PER_LEG = 500

/** What a pipe needs from its pair. */
export interface PipeOwner {
  /** The stream's end reached the other leg. */
  pipeEnded(pipe: Pipe): void
  endPair(how: 'close' | 'reset', pipe: Pipe): void
}

/** One fault in this pipe: chosen or not by toxicity and connection, gated by its byte conditions. */
class Slot {
  stage: FaultStage | null = null
  gate: ByteGate | null = null
  ended = false

  constructor(
    public toxic: ToxicInfo,
    /** Drawn once per connection and direction: whether this fault applies here at all. */
    public active: boolean
  ) {}
}

/** One direction of a proxied pair: reads from `source`, runs the faults in order, writes to `sink`. */
export class Pipe {
  private slots: Slot[] = []
  private held = 0
  private sinkFull = false
  private sourceHeld = false
  private sinkGone = false
  // Stages that hold too many pieces right now (each says so once, and once again when it is not).
  private crowdedStages = 0
  // No fault applies here (none, or none drawn): chunks go straight to the sink (see pass()).
  private faultFree = true
  // Rules on this direction (proxy:respond): they see the source's bytes before any fault does.
  private responder: PipeResponder | null = null
  /** The source's end entered the pipe. */
  ended = false
  /** The end reached the sink. */
  endDelivered = false
  /** A fault ends the pair once this direction's end reaches the sink. */
  closePairAtEnd = false

  constructor(
    readonly stream: ToxicStream,
    readonly source: LabConnection,
    readonly sink: LabConnection,
    private readonly owner: PipeOwner
  ) {}

  /** Bytes held in this direction now. */
  get heldBytes(): number {
    return this.held
  }

  /** Adds a fault at the end of the chain. */
  addToxic(toxic: ToxicInfo, active: boolean): void {
    const slot = new Slot(toxic, active)
    this.slots.push(slot)
    if (active) this.arm(slot)
    this.updateFaultFree()
  }

  /** New attributes (and a new draw if the toxicity changed). */
  updateToxic(toxic: ToxicInfo, redraw: boolean | null): void {
    const slot = this.slots.find((s) => s.toxic.name === toxic.name)
    if (!slot) return
    const conditionChanged = JSON.stringify(slot.toxic.condition) !== JSON.stringify(toxic.condition)
    slot.toxic = toxic
    if (conditionChanged || (redraw !== null && redraw !== slot.active)) {
      this.unarm(slot)
      slot.active = redraw ?? slot.active
      if (slot.active) this.arm(slot)
      this.updateFaultFree()
    } else slot.stage?.update(toxic.attributes)
  }

  /** Removes a fault: what it holds moves on (a timeout closes the pair, as in Toxiproxy). */
  removeToxic(name: string): void {
    const slot = this.slots.find((s) => s.toxic.name === name)
    if (!slot) return
    this.unarm(slot)
    this.slots.splice(this.slots.indexOf(slot), 1)
    this.updateFaultFree()
  }

  /** Sets, replaces or (null) clears the rules on this direction; bytes already judged keep their fate. */
  setResponder(settings: DirectionResponder | null): void {
    if (this.responder) this.responder.use(settings)
    else if (settings && !this.sinkGone) this.responder = new PipeResponder(this.responderPipe(), settings)
  }

  /** A chunk read from the source at `at` (ms; the read's own clock, so a chunk costs one clock read). */
  push(data: Buffer, at: number = Date.now()): void {
    if (this.responder) return this.responder.push(data)
    if (this.faultFree && this.held === 0) return this.pass(data, at)
    this.held += data.length
    this.enter(0, { data, at })
    this.check()
  }

  /** The source sent FIN (or closed). */
  end(): void {
    if (this.ended) return
    this.ended = true
    if (this.responder) return this.responder.end()
    this.endFrom(0)
  }

  /** The source's queue drained (answers sent back to it went out). */
  sourceDrained(): void {
    this.responder?.sourceDrained()
  }

  /** The sink drained its queue. */
  sinkDrained(): void {
    this.sinkFull = false
    this.check()
  }

  /** The sink closed: nothing more can be delivered; stop every fault. */
  sinkClosed(): void {
    this.sinkGone = true
    this.dispose()
    this.held = 0
    this.sinkFull = false
    this.check()
  }

  /** Stops every fault's timers. */
  dispose(): void {
    this.responder?.dispose()
    for (const s of this.slots) s.stage?.dispose()
    for (const s of this.slots) s.stage = null
  }

  private responderPipe(): ResponderPipe {
    return {
      stream: this.stream,
      source: this.source,
      sink: this.sink,
      holdBytes: (n) => {
        this.held += n
        this.check()
      },
      forward: (data) => {
        this.enter(0, { data, at: Date.now() })
        this.check()
      },
      forwardEnd: () => this.endFrom(0),
      endAfterReplace: (how) => {
        if (how === 'half-close') this.ended = true
        else this.closePairAtEnd = true
        if (this.endDelivered && how === 'close') this.owner.pipeEnded(this)
        else this.endFrom(0)
      },
      resetPair: () => this.owner.endPair('reset', this),
      mark: (leg, text, rule, action) => {
        const marks = (leg.faultMarks ??= [])
        marks.push({
          at: Date.now(),
          afterSeq: leg.traffic.lastSeq,
          stream: this.stream,
          toxic: `rule ${rule + 1}`,
          type: 'respond',
          text,
          responder: { rule, action }
        })
        // A responder may mark every message of a flood: the oldest go in batches, not one shift per mark.
        if (marks.length > MARKS_PER_LEG) marks.splice(0, marks.length - MARKS_PER_LEG + MARKS_PER_LEG / 10)
      },
      detach: () => {
        this.responder = null
      }
    }
  }

  private arm(slot: Slot): void {
    const c = slot.toxic.condition
    slot.gate = hasByteCondition(c) ? new ByteGate(c) : null
    if (!slot.gate) this.startStage(slot)
  }

  private unarm(slot: Slot): void {
    const stage = slot.stage
    slot.gate = null
    if (!stage) return
    // The slot stays in place while remove() runs, so what the stage passes on reaches the next stage.
    stage.remove()
    stage.dispose()
    slot.stage = null
  }

  private startStage(slot: Slot): void {
    slot.stage = STAGE_FACTORIES[slot.toxic.type](this.context(slot), slot.toxic.attributes as ToxicAttributes)
    if (slot.ended) slot.stage.end()
  }

  private context(slot: Slot): StageContext {
    return {
      stream: this.stream,
      forward: (chunk) => this.enter(this.indexAfter(slot), chunk),
      forwardEnd: () => this.endFrom(this.indexAfter(slot)),
      dropped: (n) => {
        this.held -= n
        this.check()
      },
      endPair: (how) => {
        if (how === 'reset') return this.owner.endPair('reset', this)
        // A close travels as this direction's end, behind what the fault already passed on.
        this.closePairAtEnd = true
        if (this.endDelivered) this.owner.pipeEnded(this)
        else this.endFrom(this.indexAfter(slot))
      },
      mark: (text) => this.mark(slot, text),
      crowded: (on) => {
        this.crowdedStages += on ? 1 : -1
        this.check()
      }
    }
  }

  private indexAfter(slot: Slot): number {
    const i = this.slots.indexOf(slot)
    return i < 0 ? this.slots.length : i + 1
  }

  private enter(i: number, chunk: Chunk): void {
    // Bounded: each step moves one stage on; stages are a handful.
    for (; i < this.slots.length; i++) {
      const slot = this.slots[i]
      if (!slot.active) continue
      if (slot.gate && !slot.gate.open) {
        const at = slot.gate.scan(chunk.data)
        if (at < 0) continue
        this.startStage(slot)
        if (at > 0) {
          const before = { data: chunk.data.subarray(0, at), at: chunk.at }
          chunk = { data: chunk.data.subarray(at), at: chunk.at }
          this.enter(i + 1, before)
        }
        this.mark(slot, `${slot.toxic.type} started: condition met`)
        if (chunk.data.length === 0) return
      }
      if (slot.stage) return slot.stage.push(chunk)
    }
    this.toSink(chunk)
  }

  private endFrom(i: number): void {
    for (; i < this.slots.length; i++) {
      const slot = this.slots[i]
      // The end already went past here (a fault ended the stream early).
      if (slot.ended) return
      slot.ended = true
      if (slot.stage) return slot.stage.end()
    }
    if (this.endDelivered) return
    this.endDelivered = true
    this.owner.pipeEnded(this)
  }

  /**
   * The path of a pipe without faults (what a proxy with no toxics does for every chunk): nothing is held,
   * so the chunk goes to the sink now, with no piece object, no stage loop and no pressure check unless
   * the sink's queue backs up (then the source pauses until the sink drains, as through the stages).
   */
  private pass(data: Buffer, at: number): void {
    if (this.sinkGone || !this.sink.writable) return
    if (!this.sink.send(data, at) && this.sink.pendingWriteBytes > 0 && !this.sinkFull) {
      this.sinkFull = true
      this.check()
    }
  }

  /** Whether every fault of this pipe is inactive here (drawn out by toxicity or by its connection choice). */
  private updateFaultFree(): void {
    this.faultFree = this.slots.every((s) => !s.active)
  }

  private toSink(chunk: Chunk): void {
    this.held -= chunk.data.length
    // write() says "full" for any chunk over 16 KiB, even one the kernel took at once: only bytes really
    // left waiting in the socket's queue pause the source (saves a pause/resume per chunk).
    if (!this.sinkGone && this.sink.writable && !this.sink.send(chunk.data) && this.sink.pendingWriteBytes > 0)
      this.sinkFull = true
    this.check()
  }

  private check(): void {
    const pressed = this.sinkFull || this.held > PIPE_HIGH_WATER || this.crowdedStages > 0
    if (pressed && !this.sourceHeld) {
      this.sourceHeld = true
      this.source.holdForPipe(true)
    } else if (!pressed && this.sourceHeld && this.held <= PIPE_LOW_WATER) {
      this.sourceHeld = false
      this.source.holdForPipe(false)
    }
  }

  private mark(slot: Slot, text: string): void {
    const mark: FaultMark = {
      at: Date.now(),
      afterSeq: this.sink.traffic.lastSeq,
      stream: this.stream,
      toxic: slot.toxic.name,
      type: slot.toxic.type,
      text
    }
    const marks = (this.sink.faultMarks ??= [])
    marks.push(mark)
    if (marks.length > MARKS_PER_LEG) marks.splice(0, marks.length - MARKS_PER_LEG)
  }
}
