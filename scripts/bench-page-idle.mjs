// A quick probe of the page's CPU (not part of `npm run bench`): tcp-lab web with a headless Chromium
// page, N held connections, then: idle S seconds, and a flood of F connections for S seconds.
//   node scripts/bench-page-idle.mjs [--conns 50] [--seconds 4]
import { spawn } from 'node:child_process'
import net from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { chromiumCpuByType, chromiumCpuMs, cpuMs, servingPid } from './bench-procs.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const flag = (n, d) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d)
const conns = flag('conns', 50)
const seconds = flag('seconds', 4)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const lab = spawn(
  process.execPath,
  [join(root, 'out/main/cli.js'), 'web', '--ui-port', '0', '--listen', 'echo@127.0.0.1:0'],
  { stdio: ['ignore', 'pipe', 'inherit'] }
)
const { port, url } = await new Promise((res, rej) => {
  let port = 0
  const t = setTimeout(() => rej(new Error('no URL')), 15_000)
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
const { chromium } = await import('playwright-core')
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
})
const socks = []
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage()
  await page.goto(url, { waitUntil: 'load' })
  for (let i = 0; i < conns; i++)
    socks.push(
      await new Promise((r) => {
        const s = net.connect(port, '127.0.0.1', () => r(s))
        s.on('error', () => {})
      })
    )
  await sleep(1_500)
  const measure = async (name, during) => {
    const c0 = chromiumCpuMs()
    const b0 = chromiumCpuByType()
    const l0 = cpuMs(servingPid(lab.pid))
    const t0 = Date.now()
    await during()
    const ms = Date.now() - t0
    const b1 = chromiumCpuByType()
    const split = Object.keys(b1)
      .map((k) => `${k} ${(((b1[k] - (b0[k] ?? 0)) / ms) * 100).toFixed(0)}`)
      .join(', ')
    console.log(`${name}: page (${split})`)
    console.log(
      `${name}: page ${(((chromiumCpuMs() - c0) / ms) * 100).toFixed(0)} % of a core, lab ${(((cpuMs(servingPid(lab.pid)) - l0) / ms) * 100).toFixed(0)} %`
    )
  }
  await measure(`idle, ${conns} connections`, () => sleep(seconds * 1000))
  const cdp = args.includes('--prof') ? await page.context().newCDPSession(page) : null
  if (cdp) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.start')
  }
  // --trace: main-thread time by timeline event (layout, style, paint, script) during the flood.
  if (args.includes('--trace')) await browser.startTracing(page, { categories: ['devtools.timeline'] })
  await measure(`flood on ${conns} connections`, async () => {
    const chunk = Buffer.alloc(64 << 10, 0x61)
    let stop = false
    for (const s of socks) {
      let sent = 0,
        back = 0
      const pump = () => {
        while (!stop && sent - back < 512 << 10) {
          sent += chunk.length
          if (!s.write(chunk)) return
        }
      }
      s.on('data', (d) => {
        back += d.length
        pump()
      })
      s.on('drain', pump)
      pump()
    }
    await sleep(seconds * 1000)
    stop = true
  })
  if (args.includes('--trace')) {
    const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents
    const by = new Map()
    for (const e of events) if (e.ph === 'X' && e.dur) by.set(e.name, (by.get(e.name) ?? 0) + e.dur / 1000)
    console.log(
      [...by]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 14)
        .map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`)
        .join('\n')
    )
  }
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop')
    const self = new Map()
    const byId = new Map(profile.nodes.map((n) => [n.id, n]))
    const dt = profile.timeDeltas
    profile.samples.forEach((id, i) => {
      const n = byId.get(id)
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
      self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000)
    })
    console.log(
      [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`)
        .join('\n')
    )
  }
  await measure('after the flood (idle)', () => sleep(seconds * 1000))
} finally {
  for (const s of socks) s.destroy()
  await browser.close()
  lab.kill('SIGTERM')
}
