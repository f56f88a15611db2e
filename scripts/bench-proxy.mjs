#!/usr/bin/env node
// `npm run bench:proxy`: echo throughput through a proxy with no faults, 1 and 50 connections, for the
// lab's proxy (engine + a JSON-serialising consumer), a bare node:net pipe proxy and
// `socat TCP-LISTEN:…,fork TCP:…`, in the same run, each in its own process, in front of the same bare
// echo upstream, driven by the same load generator. Loopback only; bounded (about a minute).
//
//   node scripts/bench-proxy.mjs [--rounds N] [--seconds S]
import { spawn } from 'node:child_process'
import net from 'node:net'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback
}
const rounds = flag('rounds', 3)
const seconds = flag('seconds', 2)

const gcLog = []
function child(cmd, argv, env = process.env) {
  const c = spawn(cmd, argv, {
    cwd: root,
    env,
    stdio: ['ignore', process.env.BENCH_TRACE_GC ? 'pipe' : 'inherit', 'inherit', 'ipc']
  })
  if (c.stdout) c.stdout.on('data', (d) => gcLog.push(d.toString()))
  const pending = new Map()
  let next = 1
  let readyResolve
  const ready = new Promise((r) => (readyResolve = r))
  c.on('message', (m) => {
    if (m.type === 'ready') return readyResolve(m)
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (m.ok) p?.resolve(m.value)
    else p?.reject(new Error(m.error))
  })
  return {
    ready,
    rpc: (cmd, params = {}, timeoutMs = 60_000) =>
      new Promise((res, rej) => {
        const id = next++
        const t = setTimeout(() => rej(new Error(`${cmd} timed out`)), timeoutMs)
        pending.set(id, { resolve: (v) => (clearTimeout(t), res(v)), reject: (e) => (clearTimeout(t), rej(e)) })
        c.send({ id, cmd, ...params })
      }),
    pid: c.pid,
    stop: () => {
      if (c.connected) c.disconnect()
      setTimeout(() => c.kill('SIGKILL'), 3_000).unref()
    }
  }
}

async function buildLabProxy() {
  const { build } = await import('vite')
  const outDir = join(root, 'bench-results', 'proxy-build')
  mkdirSync(outDir, { recursive: true })
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    resolve: { alias: { '@shared': join(root, 'src/shared') } },
    build: {
      ssr: join(root, 'scripts/bench-proxy-lab.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: '[name].mjs' } }
    }
  })
  return join(outDir, 'bench-proxy-lab.mjs')
}

function freePort() {
  return new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => r(port))
    })
  })
}

async function waitListening(port) {
  // Bounded: 100 tries, 50 ms apart.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => (s.destroy(), r(true)))
      s.on('error', () => r(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`nothing listens on ${port}`)
}

/** CPU time (user + system) a process has used, ms. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const labEntry = await buildLabProxy()
const upstream = child('node', ['scripts/bench-bare-server.mjs'])
const load = child('node', ['scripts/bench-load.mjs'])
// The bare echo server says its port in its ready message.
const upstreamPort = (await upstream.ready).port
await load.ready

// The lab's process runs with its V8 heap options and malloc settings (src/main/launch/heap-options.ts), as
// `tcp-lab web` does; BENCH_LAB_ENV='{}'-style JSON adds to or overrides its environment (e.g. to compare).
const HEAP_FLAGS = ['--initial-old-space-size=64', '--max-semi-space-size=8']
/** The lab child's environment; a null in BENCH_LAB_ENV removes that variable (e.g. to measure without MALLOC_ENV). */
function labEnv() {
  const env = { ...MALLOC_ENV, ...process.env }
  for (const [k, v] of Object.entries(JSON.parse(process.env.BENCH_LAB_ENV ?? '{}'))) {
    if (v === null) delete env[k]
    else env[k] = String(v)
  }
  return env
}
const MALLOC_ENV = { MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TOP_PAD_: String(4 * 1024 * 1024) }
const lab = child(
  'node',
  [
    ...HEAP_FLAGS,
    ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(root, 'bench-results')] : []),
    ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
    ...(process.env.BENCH_LAB_NODE ? process.env.BENCH_LAB_NODE.split(' ') : []),
    labEntry
  ],
  labEnv()
)
const pipe = child('node', [
  ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(root, 'bench-results')] : []),
  ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
  'scripts/bench-pipe-proxy.mjs'
])
await Promise.all([lab.ready, pipe.ready])
const labPort = (await lab.rpc('start', { upstream: upstreamPort })).port
const pipePort = (await pipe.rpc('start', { upstream: upstreamPort })).port
const inprocPort = (await lab.rpc('start-inproc', { upstream: upstreamPort })).port
const socatPort = await freePort()
const socat = spawn(
  'socat',
  [`TCP-LISTEN:${socatPort},bind=127.0.0.1,fork,reuseaddr`, `TCP:127.0.0.1:${upstreamPort}`],
  { stdio: 'ignore' }
)
process.on('exit', () => socat.kill('SIGKILL'))
await waitListening(socatPort)

const allTargets = { lab: labPort, inproc: inprocPort, pipe: pipePort, socat: socatPort, direct: upstreamPort }
// --only NAME[,NAME]: just those targets (to profile one of them).
const onlyIdx = args.indexOf('--only')
const targets =
  onlyIdx >= 0
    ? Object.fromEntries(Object.entries(allTargets).filter(([k]) => args[onlyIdx + 1].split(',').includes(k)))
    : allTargets
const pids = { lab: lab.pid, inproc: lab.pid, pipe: pipe.pid, socat: socat.pid }
const results = {}
const cpu = {}
const steady = {}
const loadBefore = loadavg()
// One short pass through every target first, not counted: each process compiles its hot path (JIT) and
// sizes its heap once, as it does in a long-running lab, instead of billing that to its first round.
for (const port of Object.values(targets)) {
  for (const conns of [1, 50])
    await load.rpc('throughput', { port, conns, warmupMs: 100, seconds: 0.5, windowBytes: 256 * 1024 })
}
for (const conns of [1, 50]) {
  for (const name of Object.keys(targets)) {
    results[`${name}@${conns}`] = []
    cpu[`${name}@${conns}`] = { ms: 0, bytes: 0 }
    steady[`${name}@${conns}`] = { ms: 0, bytes: 0 }
  }
  for (let r = 0; r < rounds; r++) {
    // Interleaved, so a noisy moment on the shared machine hits every proxy alike.
    for (const [name, port] of Object.entries(targets)) {
      const before = pids[name] && name !== 'socat' ? cpuMs(pids[name]) : 0
      const cpuPids = pids[name] ? [pids[name]] : []
      const v = await load.rpc('throughput', { port, conns, warmupMs: 300, seconds, windowBytes: 256 * 1024, cpuPids })
      results[`${name}@${conns}`].push(v.mbps)
      if (pids[name] && name !== 'socat') {
        cpu[`${name}@${conns}`].ms += cpuMs(pids[name]) - before
        cpu[`${name}@${conns}`].bytes += v.totalBytes
      }
      if (pids[name]) {
        steady[`${name}@${conns}`].ms += v.cpuMs[0]
        steady[`${name}@${conns}`].bytes += v.bytes
      }
    }
  }
}
const loadAfter = loadavg()
const line = (conns) => {
  const m = (n) => median(results[`${n}@${conns}`] ?? [NaN])
  return `${String(conns).padStart(2)} conn: lab ${m('lab').toFixed(0)} MB/s, node pipe ${m('pipe').toFixed(0)} MB/s, socat ${m('socat').toFixed(0)} MB/s; lab/pipe ${(m('lab') / m('pipe')).toFixed(2)}, lab/socat ${(m('lab') / m('socat')).toFixed(2)}; a pipe proxy inside the lab's process ${m('inproc').toFixed(0)} MB/s, lab/that ${(m('lab') / m('inproc')).toFixed(2)} (no proxy: ${m('direct').toFixed(0)} MB/s)`
}
console.log(`Echo through a proxy, no faults (median of ${rounds} × ${seconds} s):`)
// CPU per byte is what a loaded machine cannot blur: how much work each proxy does for the same bytes.
const perGb = (k, t = cpu) => (t[k] ? t[k].ms / 1000 / (t[k].bytes / 1e9) : NaN).toFixed(2)
console.log(line(1))
console.log(line(50))
for (const conns of [1, 50]) {
  console.log(
    `${String(conns).padStart(2)} conn CPU, whole rounds (connect and close included): lab ${perGb(`lab@${conns}`)} s/GB echoed, pipe in the lab's process ${perGb(`inproc@${conns}`)} s/GB, node pipe ${perGb(`pipe@${conns}`)} s/GB`
  )
}
for (const conns of [1, 50]) {
  const g = (n) => perGb(`${n}@${conns}`, steady)
  console.log(
    `${String(conns).padStart(2)} conn CPU, counted window only: lab ${g('lab')} s/GB echoed, pipe in the lab's process ${g('inproc')}, node pipe ${g('pipe')}, socat ${g('socat')}; lab/pipe ${(g('lab') / g('pipe')).toFixed(2)}`
  )
}
const la = (l) => l.map((x) => x.toFixed(1)).join(' ')
console.log(`load average (1/5/15 min) before ${la(loadBefore)}, after ${la(loadAfter)} (2 cores)`)
const stats = await lab.rpc('stats')
console.log(
  `lab event stream: ${(stats.streamBytes / 1e6).toFixed(1)} MB of JSON batches; average read ${(stats.avgRead / 1024).toFixed(1)} KiB`
)
for (const c of [lab, pipe, load, upstream]) c.stop()
// The bundle is this run's alone (and not source to lint).
rmSync(dirname(labEntry), { recursive: true, force: true })
socat.kill('SIGTERM')
if (process.env.BENCH_TRACE_GC) {
  const lines = gcLog
    .join('')
    .split('\n')
    .filter((l) => /Scavenge|Mark-Compact|Mark-sweep/i.test(l))
  const byPid = {}
  for (const l of lines) {
    const pid = /^\[(\d+):/.exec(l)?.[1] ?? '?'
    const k = `${pid} ${/Mark-Compact/.test(l) ? 'full' : 'scavenge'}`
    byPid[k] = (byPid[k] ?? 0) + 1
  }
  console.log(`GC events by process (lab ${lab.pid}, pipe ${pipe.pid}):`, JSON.stringify(byPid))
}
process.exit(0)
