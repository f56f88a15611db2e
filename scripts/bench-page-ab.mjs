// A/B probe of the page's CPU under a 50-connection flood (not part of `npm run bench`): two builds of
// `tcp-lab web` (each an `out/` folder) alternated in one run, a headless Chromium page on each, the same
// flood on each; prints the page's CPU per second of phase (all its Chromium processes, and its main thread
// by DevTools' Performance metrics) for every round and the medians.
//   node scripts/bench-page-ab.mjs --a /tmp/outA --b out [--rounds 3] [--conns 50] [--seconds 4] [--shot FILE]
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { chromiumCpuByType, chromiumCpuMs } from './bench-procs.mjs'

const args = process.argv.slice(2)
const opt = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d)
const builds = { A: resolve(opt('a', 'out')), B: resolve(opt('b', 'out')) }
const rounds = Number(opt('rounds', 3))
const conns = Number(opt('conns', 50))
const seconds = Number(opt('seconds', 4))
const shot = opt('shot', '')
// --prof FILE: a CPU profile of B's page during its last flood (open it in Chrome DevTools).
const prof = opt('prof', '')
const profPhase = opt('prof-phase', 'flood')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function startLab(outDir) {
  const lab = spawn(
    process.execPath,
    [join(outDir, 'main/cli.js'), 'web', '--ui-port', '0', '--listen', 'echo@127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  const info = await new Promise((res, rej) => {
    let port = 0
    const t = setTimeout(() => rej(new Error('no URL in 15 s')), 15_000)
    createInterface({ input: lab.stdout }).on('line', (l) => {
      const m = /^Listening: echo on [^ ]*:(\d+)/.exec(l)
      if (m) port = Number(m[1])
      const u = /^TCP Lab UI: (\S+)/.exec(l)
      if (u) {
        clearTimeout(t)
        res({ port, url: u[1] })
      }
    })
  })
  return { lab, ...info }
}

/** Floods every socket (echo comes back) for `ms`, at most 512 KiB in flight each. */
async function flood(socks, ms) {
  const chunk = Buffer.alloc(64 << 10, 0x61)
  let stop = false
  const offs = []
  for (const s of socks) {
    let sent = 0
    let back = 0
    const pump = () => {
      while (!stop && sent - back < 512 << 10) {
        sent += chunk.length
        if (!s.write(chunk)) return
      }
    }
    const onData = (d) => {
      back += d.length
      pump()
    }
    s.on('data', onData)
    s.on('drain', pump)
    offs.push(() => (s.off('data', onData), s.off('drain', pump)))
    pump()
  }
  await sleep(ms)
  stop = true
  // Let what is in flight drain before the next phase.
  await sleep(500)
  for (const off of offs) off()
}

/** Opens and closes connections, `concurrency` at a time, for `ms` (at most 200,000); how many were accepted. */
async function acceptStorm(port, ms, concurrency = 64) {
  const until = Date.now() + ms
  let done = 0
  const one = () =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        done++
        s.destroy()
        resolve()
      })
      s.on('error', () => resolve())
    })
  const worker = async () => {
    while (Date.now() < until && done < 200_000) await one()
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await sleep(500)
  return done
}

const metricsOf = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics')
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]))
}

async function round(name, browser, profileIt = false) {
  const { lab, port, url } = await startLab(builds[name])
  const socks = []
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  try {
    const page = await context.newPage()
    await page.goto(url, { waitUntil: 'load' })
    await page.waitForSelector('article[aria-label^="Server"]', { timeout: 15_000 })
    for (let i = 0; i < conns; i++)
      socks.push(
        await new Promise((r) => {
          const s = net.connect(port, '127.0.0.1', () => r(s))
          s.on('error', () => {})
        })
      )
    await sleep(1_500)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    const out = {}
    for (const [phase, during] of [
      ['idle', () => sleep(seconds * 1000)],
      ['flood', () => flood(socks, seconds * 1000)],
      ['accepts', () => acceptStorm(port, seconds * 1000)]
    ]) {
      const c0 = chromiumCpuMs()
      const r0 = chromiumCpuByType().renderer ?? 0
      const m0 = await metricsOf(cdp)
      const t0 = Date.now()
      const profiling = profileIt && phase === profPhase
      if (profiling) {
        await cdp.send('Profiler.enable')
        await cdp.send('Profiler.start')
      }
      const tracing = args.includes('--trace') && profileIt && phase === profPhase
      if (tracing) await browser.startTracing(page, { categories: ['devtools.timeline'] })
      const value = await during()
      if (typeof value === 'number') out.acceptsDone = value
      if (tracing) {
        const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents
        const by = new Map()
        for (const e of events) if (e.ph === 'X' && e.dur) by.set(e.name, (by.get(e.name) ?? 0) + e.dur / 1000)
        const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 16)
        console.log(top.map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n'))
      }
      if (profiling) {
        const { profile } = await cdp.send('Profiler.stop')
        writeFileSync(prof, JSON.stringify(profile))
      }
      const wall = (Date.now() - t0) / 1000
      const m1 = await metricsOf(cdp)
      out[phase] = {
        page: (chromiumCpuMs() - c0) / wall,
        renderer: ((chromiumCpuByType().renderer ?? 0) - r0) / wall,
        task: ((m1.TaskDuration - m0.TaskDuration) * 1000) / wall,
        script: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / wall,
        layout: ((m1.LayoutDuration - m0.LayoutDuration) * 1000) / wall,
        style: ((m1.RecalcStyleDuration - m0.RecalcStyleDuration) * 1000) / wall,
        layouts: (m1.LayoutCount - m0.LayoutCount) / wall,
        styles: (m1.RecalcStyleCount - m0.RecalcStyleCount) / wall,
        ...(phase === 'accepts' ? { per1k: ((chromiumCpuMs() - c0) / out.acceptsDone) * 1000 } : {})
      }
      if (phase === 'flood' && shot) await page.screenshot({ path: shot.replace('.png', `-${name}.png`) })
    }
    return out
  } finally {
    for (const s of socks) s.destroy()
    await context.close()
    lab.kill('SIGTERM')
    await new Promise((r) => lab.once('exit', r))
  }
}

const { chromium } = await import('playwright-core')
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
})
const results = { A: [], B: [] }
const f = (n) => n.toFixed(0).padStart(4)
try {
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const res = await round(name, browser, prof !== '' && name === 'B' && r >= rounds - 2)
      results[name].push(res)
      const p = (x) =>
        `page ${f(x.page)} renderer ${f(x.renderer)} main-thread ${f(x.task)} (script ${f(x.script)}, layout ${f(x.layout)}, style ${f(x.style)}; ${x.layouts.toFixed(1)} layouts/s, ${x.styles.toFixed(1)} style recalcs/s${x.per1k !== undefined ? `; ${f(x.per1k)} page CPU ms per 1,000 accepts` : ''})`
      console.log(
        `round ${r + 1} ${name}: idle ${p(res.idle)} | flood ${p(res.flood)} | accepts ${p(res.accepts)}  [CPU ms per s]`
      )
    }
  }
} finally {
  await browser.close()
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
for (const name of ['A', 'B']) {
  const list = results[name]
  const line = (phase) =>
    ['page', 'renderer', 'task', 'script', 'layout', 'style', 'layouts', 'per1k']
      .filter((k) => list[0][phase][k] !== undefined)
      .map((k) => `${k} ${f(median(list.map((x) => x[phase][k])))}`)
      .join(', ')
  console.log(
    `median ${name} (${builds[name]}): idle ${line('idle')} | flood ${line('flood')} | accepts ${line('accepts')}`
  )
}
