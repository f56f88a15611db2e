// The bench's load generator, a child process of scripts/bench.mjs: takes commands over IPC and drives
// loopback connections at a server, always with back-pressure (never more than a window of bytes
// unanswered per connection, and never past a full socket buffer). Every phase is bounded in time.
import net from 'node:net'
import { readFileSync } from 'node:fs'

const CHUNK = Buffer.alloc(64 * 1024, 0x61)

/** @type {net.Socket[]} */
let held = []
let trickleTimer = null

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.setNoDelay(true)
    s.once('connect', () => {
      s.removeListener('error', reject)
      s.on('error', () => {})
      resolve(s)
    })
    s.once('error', reject)
  })
}

/** CPU time (user + system, ms) of a process and its live children (socat forks one per connection); 0 if gone. */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    let ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    for (const k of kids ? kids.split(' ') : []) ms += cpuOf(Number(k))
    return ms
  } catch {
    return 0
  }
}

/**
 * Echo throughput: `conns` connections each pumping 64 KiB writes, counting echoed bytes in the window.
 * `cpuPids`: processes whose CPU time is read at the window's start and end (`cpuMs`, the same window as
 * the bytes, so connection set-up and teardown are not in it).
 */
async function throughput({ port, conns, warmupMs, seconds, windowBytes, cpuPids = [] }) {
  const socks = await Promise.all(Array.from({ length: conns }, () => connect(port)))
  let counting = false
  let counted = 0
  let total = 0
  let stopped = false
  for (const s of socks) {
    let sent = 0
    let back = 0
    const pump = () => {
      while (!stopped && sent - back < windowBytes) {
        sent += CHUNK.length
        if (!s.write(CHUNK)) return // 'drain' resumes
      }
    }
    s.on('data', (d) => {
      back += d.length
      total += d.length
      if (counting) counted += d.length
      pump()
    })
    s.on('drain', pump)
    pump()
  }
  await new Promise((r) => setTimeout(r, warmupMs))
  counting = true
  const cpu0 = cpuPids.map(cpuOf)
  const t0 = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  counting = false
  const cpuMs = cpuPids.map((p, i) => cpuOf(p) - cpu0[i])
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  stopped = true
  for (const s of socks) s.destroy()
  return { mbps: counted / secs / 1e6, bytes: counted, totalBytes: total, seconds: secs, cpuMs }
}

/** One short connection: connect, one byte there and back, close; resolves when the socket is closed. */
function oneShot(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    let ok = false
    s.setNoDelay(true)
    s.once('connect', () => s.write('x'))
    s.once('data', () => {
      ok = true
      s.end()
    })
    s.on('error', () => {})
    s.once('close', () => resolve(ok))
    s.setTimeout(5_000, () => s.destroy())
  })
}

/** Accept rate: `concurrency` clients in a loop of connect / 1-byte echo / close, for `seconds`. */
async function accepts({ port, seconds, concurrency }) {
  const deadline = Date.now() + seconds * 1000
  let done = 0
  let failed = 0
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        if (await oneShot(port)) done++
        else failed++
      }
    })
  )
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  return { perSecond: done / secs, done, failed, seconds: secs }
}

/** Opens `count` more connections and keeps them; each proves it is served with a 1-byte echo. */
async function open({ port, count, concurrency, timeoutMs }) {
  const deadline = Date.now() + timeoutMs
  let next = 0
  let failed = 0
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) {
        next++
        try {
          const s = await connect(port)
          await new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error('no echo')), 5_000)
            s.once('data', () => {
              clearTimeout(t)
              resolve()
            })
            s.write('x')
          })
          held.push(s)
        } catch {
          failed++
        }
      }
    })
  )
  return { held: held.length, failed, ms: Date.now() - t0 }
}

/** Every held connection sends a small line every `intervalMs`, spread over the interval. */
function trickle({ intervalMs }) {
  stopTrickle()
  let i = 0
  const perTick = Math.max(1, Math.ceil(held.length / (intervalMs / 10)))
  let sent = 0
  trickleTimer = setInterval(() => {
    for (let k = 0; k < perTick && held.length > 0; k++) {
      const s = held[i++ % held.length]
      if (!s.destroyed && s.writableLength < 4096) {
        s.write('tick 0123456789\n')
        sent++
      }
    }
  }, 10)
  return { perTick, started: true, sentSoFar: sent }
}

function stopTrickle() {
  if (trickleTimer) clearInterval(trickleTimer)
  trickleTimer = null
}

async function release() {
  stopTrickle()
  const n = held.length
  await Promise.all(
    held.map(
      (s) =>
        new Promise((resolve) => {
          if (s.destroyed) return resolve()
          s.once('close', resolve)
          s.destroy()
        })
    )
  )
  held = []
  return { released: n }
}

const handlers = { throughput, accepts, open, trickle, release, stopTrickle: () => (stopTrickle(), {}) }

process.on('message', async (m) => {
  try {
    const value = await handlers[m.cmd](m)
    process.send({ id: m.id, ok: true, value })
  } catch (err) {
    process.send({ id: m.id, ok: false, error: String(err?.stack ?? err) })
  }
})
process.on('disconnect', () => process.exit(0))
process.send({ type: 'ready' })
