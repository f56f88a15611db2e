import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CommandRequest } from '@shared/contract'
import type { RecordStatus } from '@shared/model'
import type { Lab } from '../lab'
import type { LabConnection } from '../lab-connection'
import { LabFailure } from '../errors'
import { DEFAULT_RECORD_BUDGET, DiskRecorder } from './disk-recorder'
import { ReplayManager } from './replay-manager'

/** Where recordings go when neither the command nor --record names a folder. */
export const DEFAULT_RECORD_DIR = join(tmpdir(), 'tcp-lab-recordings')

/** The lab's recorder and replays: one per lab, made on first use. */
export class CaptureService {
  private recorder: DiskRecorder | null = null
  private last: RecordStatus | null = null
  private starting = false
  private readonly hook = (conn: LabConnection): void => this.recorder?.attach(conn, false)
  /** The folder of --record, used when a start names none. */
  defaultDir = DEFAULT_RECORD_DIR
  readonly replays: ReplayManager

  constructor(private readonly lab: Lab) {
    this.replays = new ReplayManager(lab)
  }

  /** Starts recording every connection (those open now from this moment, new ones from their start). */
  async start(req: CommandRequest<'capture:record-start'>): Promise<RecordStatus> {
    if (this.recorder?.status.recording || this.starting) {
      throw new LabFailure(
        'recording',
        `The lab is already recording to ${this.recorder?.status.file ?? 'a file'}`,
        'Stop it first.'
      )
    }
    this.starting = true
    try {
      const r = await DiskRecorder.start(
        req.dir ?? this.defaultDir,
        req.budgetBytes ?? DEFAULT_RECORD_BUDGET,
        (level, message) => this.lab.notice(level, message)
      )
      this.recorder = r
      this.lab.adoptHooks.add(this.hook)
      for (const c of this.lab.connections.values()) if (!c.closed) r.attach(c, true)
      this.lab.notice('info', `Recording to ${r.status.file} (disk budget ${r.status.budgetBytes} bytes)`)
      return { ...r.status }
    } finally {
      this.starting = false
    }
  }

  /** Stops recording; the file is complete when this answers. */
  async stop(): Promise<RecordStatus> {
    const r = this.recorder
    if (!r) throw new LabFailure('not-recording', 'The lab is not recording')
    this.lab.adoptHooks.delete(this.hook)
    const status = await r.stop()
    this.recorder = null
    this.last = status
    this.lab.notice('info', `Recording saved: ${status.file} (${status.bytesWritten} bytes, ${status.packets} packets)`)
    return status
  }

  /** The recorder's state (or the last recording's). */
  status(): RecordStatus {
    const r = this.recorder
    if (r) {
      // A recording that stopped by itself (budget, write error) is reported as stopped.
      if (!r.status.recording) {
        this.lab.adoptHooks.delete(this.hook)
        this.last = { ...r.status }
        this.recorder = null
        return this.last
      }
      return { ...r.status }
    }
    return (
      this.last ?? {
        recording: false,
        file: null,
        dir: this.defaultDir,
        startedAt: null,
        bytesWritten: 0,
        budgetBytes: DEFAULT_RECORD_BUDGET,
        droppedBytes: 0,
        packets: 0,
        stoppedReason: null
      }
    )
  }

  /** Stops everything (the lab is closing). */
  async dispose(): Promise<void> {
    this.replays.dispose()
    if (this.recorder) await this.stop().catch(() => undefined)
  }
}

const services = new WeakMap<Lab, CaptureService>()

/** The capture service of a lab. */
export function captureOf(lab: Lab): CaptureService {
  let s = services.get(lab)
  if (!s) {
    s = new CaptureService(lab)
    services.set(lab, s)
  }
  return s
}

/** Stops a lab's recording and replays, if it ever had any. */
export async function disposeCapture(lab: Lab): Promise<void> {
  await services.get(lab)?.dispose()
}
