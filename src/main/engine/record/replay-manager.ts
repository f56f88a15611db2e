import { LabTcpServer } from '../tcp-server'
import { readFile, stat } from 'node:fs/promises'
import type { CommandRequest } from '@shared/contract'
import type { ReplayInfo } from '@shared/model'
import { parseListenSpec } from '@shared/listen-spec'
import type { Lab } from '../lab'
import type { ConnectionHandlers, LabConnection } from '../lab-connection'
import type { ServerBehaviour } from '../behaviours/behaviour'
import { LabFailure } from '../errors'
import type { Conversation } from './conversation'
import { conversationOfConnection, conversationsOfPcapng } from './conversation'
import { playSide, ReceivedBytes } from './replay-script'
import type { ReplayPace } from './replay-script'

/** Replays kept in the list (finished ones are dropped oldest first past this). */
const REPLAYS_KEPT = 100
/** Largest capture file a replay reads from disk. */
const MAX_CAPTURE_FILE = 64 * 1024 * 1024

interface Replay {
  info: ReplayInfo
  cancelled: boolean
  stopServer?: () => Promise<void>
}

/** Parses HOST:PORT, [IPV6]:PORT or unix:PATH (the --listen address forms, without a behaviour). */
function parseTarget(target: string, needPort: boolean): { host: string; port?: number } {
  const r = parseListenSpec(target.includes('@') && !target.startsWith('unix:') ? `x${target}` : target)
  if (!r.ok)
    throw new LabFailure('invalid', `Address ${JSON.stringify(target)}: ${r.error.replace(/^--listen "[^"]*": /, '')}`)
  const port = r.value.port as number | undefined
  if (needPort && !r.value.host.startsWith('unix:') && !port) {
    throw new LabFailure('invalid', `Address ${JSON.stringify(target)} needs a port from 1 to 65535`)
  }
  return { host: r.value.host, port }
}

/** Replays of recorded conversations: as a client against a server, or as a mock server. */
export class ReplayManager {
  private readonly replays = new Map<number, Replay>()
  private nextId = 1

  constructor(private readonly lab: Lab) {}

  /** Every replay, newest last. */
  list(): ReplayInfo[] {
    return [...this.replays.values()].map((r) => ({ ...r.info, connectionIds: [...r.info.connectionIds] }))
  }

  /** Starts one; answers once it is connected (client) or listening (server). */
  async start(req: CommandRequest<'replay:start'>): Promise<ReplayInfo> {
    const conv = await this.conversation(req.source)
    const pace: ReplayPace = { pace: req.pace, waitForReplies: req.waitForReplies, replyTimeoutMs: req.replyTimeoutMs }
    const side = req.mode === 'client' ? 'client' : 'server'
    const total = conv.chunks.filter((c) => c.side === side).length
    const replay: Replay = {
      cancelled: false,
      info: {
        id: this.nextId++,
        mode: req.mode,
        target: req.target,
        state: 'running',
        connectionIds: [],
        serverId: null,
        sourceConnectionId: conv.connectionId,
        chunksSent: 0,
        chunksTotal: total,
        message: conv.incomplete
          ? `${conv.label} has bytes the lab did not keep: only the kept ones are replayed`
          : null
      }
    }
    if (req.mode === 'client') await this.startClient(replay, conv, req.target, pace)
    else await this.startServer(replay, conv, req.target, pace)
    this.replays.set(replay.info.id, replay)
    this.trim()
    return { ...replay.info }
  }

  /** Stops a replay: its script ends (a mock server stops listening); its connections stay for viewing. */
  stop(id: number): ReplayInfo {
    const r = this.replays.get(id)
    if (!r) throw new LabFailure('not-found', `There is no replay ${id}`)
    if (r.info.state === 'running') {
      r.cancelled = true
      r.info.state = 'stopped'
      void r.stopServer?.()
    }
    return { ...r.info }
  }

  /** Stops every replay. */
  dispose(): void {
    for (const r of this.replays.values()) r.cancelled = true
  }

  private async conversation(source: CommandRequest<'replay:start'>['source']): Promise<Conversation> {
    if ('connectionId' in source) return conversationOfConnection(this.lab, source.connectionId)
    let bytes: Buffer
    let label: string
    if ('path' in source) {
      label = source.path
      try {
        const st = await stat(source.path)
        if (st.size > MAX_CAPTURE_FILE) throw new LabFailure('too-large', `${source.path} is over 64 MiB`)
        bytes = await readFile(source.path)
      } catch (err) {
        if (err instanceof LabFailure) throw err
        throw new LabFailure('read-failed', `Cannot read ${source.path}: ${(err as Error).message}`)
      }
    } else {
      label = 'the uploaded capture'
      bytes = Buffer.from(source.pcapngBase64, 'base64')
    }
    const streams = conversationsOfPcapng(bytes, label)
    const conv = streams[source.stream]
    if (!conv) {
      throw new LabFailure(
        'not-found',
        `${label} has ${streams.length} TCP stream(s); there is no stream ${source.stream}`,
        'Streams are numbered from 0, as tshark does.'
      )
    }
    return conv
  }

  private progress(r: Replay): { sent(): void; note(text: string): void } {
    return {
      sent: () => {
        r.info.chunksSent++
      },
      note: (text) => {
        r.info.message = text
        this.lab.notice('warning', `Replay ${r.info.id}: ${text}`)
      }
    }
  }

  private async startClient(r: Replay, conv: Conversation, target: string, pace: ReplayPace): Promise<void> {
    const { host, port } = parseTarget(target, true)
    const info = await this.lab.connect({ host, port, timeoutMs: 5_000 })
    const conn = this.lab.connections.get(info.id)
    if (!conn) throw new LabFailure('internal', 'The replay connection vanished')
    r.info.connectionIds.push(conn.id)
    const received = new ReceivedBytes()
    const drain = drainWaiter()
    const handlers: ConnectionHandlers = {
      onData: (_c, chunk) => received.add(chunk.length),
      onPeerEnd: () => received.end(),
      onDrain: () => drain.wake(),
      onClose: () => {
        received.end()
        drain.wake()
      }
    }
    conn.handlers = handlers
    conn.mark('note', `Replay ${r.info.id}: the client side of ${conv.label}, ${pace.pace} pace`)
    void this.run(r, conv, 'client', conn, received, drain.wait, pace)
  }

  private async startServer(r: Replay, conv: Conversation, target: string, pace: ReplayPace): Promise<void> {
    const { host, port } = parseTarget(target, false)
    const info = await this.lab.startServer({ host, port: port ?? 0, behaviour: 'manual', options: {} })
    const found = this.lab.servers.get(info.id)
    // A mock server is a TCP listener the replay started itself.
    const server = found instanceof LabTcpServer ? found : undefined
    if (!server) throw new LabFailure('internal', 'The replay server vanished')
    r.info.serverId = info.id
    r.info.target =
      server.family === 'unix'
        ? `unix:${server.bound.address}`
        : server.family === 'IPv6'
          ? `[${server.bound.address}]:${server.bound.port}`
          : `${server.bound.address}:${server.bound.port}`
    r.stopServer = async () => {
      if (this.lab.servers.has(info.id)) await this.lab.stopServer({ serverId: info.id }).catch(() => undefined)
    }
    const peers = new Map<
      LabConnection,
      { received: ReceivedBytes; drain: ReturnType<typeof drainWaiter>; done: boolean; peerEnded: boolean }
    >()
    const behaviour: ServerBehaviour = {
      onOpen: (conn) => {
        if (r.cancelled || peers.has(conn)) return
        const state = { received: new ReceivedBytes(), drain: drainWaiter(), done: false, peerEnded: false }
        peers.set(conn, state)
        r.info.connectionIds.push(conn.id)
        conn.mark('note', `Replay ${r.info.id}: mock server answering with the server side of ${conv.label}`)
        void this.run(r, conv, 'server', conn, state.received, state.drain.wait, pace, true).then(() => {
          state.done = true
          if (state.peerEnded) conn.halfClose()
        })
      },
      onData: (conn, chunk) => peers.get(conn)?.received.add(chunk.length),
      onPeerEnd: (conn) => {
        const s = peers.get(conn)
        if (!s) return conn.halfClose()
        s.peerEnded = true
        s.received.end()
        if (s.done) conn.halfClose()
      },
      onDrain: (conn) => peers.get(conn)?.drain.wake(),
      onClose: (conn) => {
        const s = peers.get(conn)
        s?.received.end()
        s?.drain.wake()
        peers.delete(conn)
      },
      dispose: () => {
        for (const s of peers.values()) s.received.end()
      }
    }
    server.useBehaviour(behaviour)
  }

  private async run(
    r: Replay,
    conv: Conversation,
    side: 'client' | 'server',
    conn: LabConnection,
    received: ReceivedBytes,
    drained: () => Promise<void>,
    pace: ReplayPace,
    perPeer = false
  ): Promise<void> {
    try {
      await playSide(conv, side, conn, received, drained, pace, this.progress(r), () => r.cancelled)
      // A mock server keeps serving new peers; a client replay is done once its side is sent.
      if (!perPeer && r.info.state === 'running') r.info.state = 'done'
    } catch (err) {
      r.info.state = 'failed'
      r.info.message = (err as Error).message
    }
  }

  private trim(): void {
    if (this.replays.size <= REPLAYS_KEPT) return
    for (const [id, r] of this.replays) {
      if (this.replays.size <= REPLAYS_KEPT) break
      if (r.info.state !== 'running') this.replays.delete(id)
    }
  }
}

/** A promise per wait that the next drain (or close) resolves. */
function drainWaiter(): { wait: () => Promise<void>; wake: () => void } {
  let waiters: (() => void)[] = []
  return {
    wait: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wake: () => {
      const w = waiters
      waiters = []
      for (const f of w) f()
    }
  }
}
