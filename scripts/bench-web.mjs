// Helpers of scripts/bench.mjs: bundling the engine-mode lab child, and the browser mode with a real
// headless Chromium page (its WebSocket frames counted, its long main-thread tasks observed).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { gcCounter, servingPid } from './bench-procs.mjs'

/** Bundles scripts/bench-lab-server.ts (TypeScript, `@shared` imports) into one ESM file with vite's SSR build. */
export async function buildLabChild(root, outDir) {
  const { build } = await import('vite')
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    resolve: { alias: { '@shared': join(root, 'src/shared') } },
    build: {
      ssr: join(root, 'scripts/bench-lab-server.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: '[name].mjs' } }
    }
  })
  return join(outDir, 'bench-lab-server.mjs')
}

// Counted inside the page: intercepting frames through the DevTools protocol would copy every frame to
// this process and tax the 2 cores the lab and the load generator share.
const INIT_SCRIPT = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__stream = { times: [], largest: 0, largestBytes: 0, resyncs: 0 };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const text = typeof ev.data === 'string' ? ev.data : '';
        if (!text.startsWith('{"type":"batch"')) return;
        const s = window.__stream;
        s.times.push(Date.now());
        s.largestBytes = Math.max(s.largestBytes, text.length);
        // Sizes from the text alone: parsing it again here would double the page's work.
        let events = 0;
        for (let i = text.indexOf('{"type":"', 20); i !== -1; i = text.indexOf('{"type":"', i + 9)) events++;
        const k = text.indexOf('"counters":{"ids":[');
        const close = k === -1 ? -1 : text.indexOf(']', k);
        const list = k === -1 ? '' : text.slice(k + 19, close);
        const rows = list === '' ? 0 : list.split(',').length;
        s.largest = Math.max(s.largest, events + rows);
        if (text.includes('"resync":true')) s.resyncs++;
      });
    }
  };
`

/** Launches headless Chromium; `startLabWeb` starts `tcp-lab web` with a page open on its UI. */
export async function startBrowser({
  root,
  chromium,
  spawnNode,
  rssMb,
  profile = false,
  profileDir = '',
  heapArgs = null
}) {
  const { chromium: pw } = await import('playwright-core')
  const browser = await pw.launch({
    executablePath: chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
  let current = null

  async function startLabWeb() {
    const prof = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
    // --trace-gc reaches the lab's own process too (the supervisor passes its Node options on).
    // heapArgs (bench --heap-mb): given to the first process, which then runs the lab itself (no re-exec: the
    // flag is present; with none, TCP_LAB_HEAP_CHILD=1 in its environment stops the re-exec).
    const heap = heapArgs ?? []
    const p = spawnNode(
      [
        '--trace-gc',
        ...heap,
        ...prof,
        join(root, 'out/main/cli.js'),
        'web',
        '--ui-port',
        '0',
        '--listen',
        'echo@127.0.0.1:0'
      ],
      { ipc: false, stdout: 'pipe', env: heapArgs === null ? {} : { TCP_LAB_HEAP_CHILD: '1' } }
    )
    const lines = createInterface({ input: p.child.stdout })
    const gc = gcCounter()
    lines.on('line', gc.line)
    const { port, url } = await new Promise((resolve, reject) => {
      let port = 0
      const t = setTimeout(() => reject(new Error('tcp-lab web did not start in 15 s')), 15_000)
      p.child.once('exit', (code) => reject(new Error(`tcp-lab web exited with ${code}`)))
      lines.on('line', (line) => {
        const l = /^Listening: echo on [^ ]*:(\d+)/.exec(line)
        if (l) port = Number(l[1])
        const u = /^TCP Lab UI: (\S+)/.exec(line)
        if (u) {
          clearTimeout(t)
          resolve({ port, url: u[1] })
        }
      })
    })
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    await page.addInitScript(INIT_SCRIPT)
    await page.goto(url, { waitUntil: 'load' })
    // The page's start-up (first snapshot, first render, JIT warm-up) is not part of any phase.
    await page.waitForSelector('article[aria-label^="Server"]', { timeout: 15_000 }).catch(() => {})
    await new Promise((r) => setTimeout(r, 1_000))
    const pid = servingPid(p.child.pid)
    const lab = {
      kind: 'lab',
      port,
      pid,
      gc: () => gc.snapshot(),
      page,
      async mark() {
        await page.evaluate(() => {
          window.__longTasks = []
          window.__stream = { times: [], largest: 0, largestBytes: 0, resyncs: 0 }
        })
      },
      async stats() {
        const { tasks, stream } = await page.evaluate(() => ({ tasks: window.__longTasks, stream: window.__stream }))
        const t = stream.times
        const perSecondMax = Math.max(0, ...t.map((a) => t.filter((u) => u >= a && u < a + 1_000).length))
        return {
          batches: t.length,
          perSecondMax,
          largest: stream.largest,
          largestBytes: stream.largestBytes,
          resyncs: stream.resyncs,
          longestTaskMs: Math.max(0, ...tasks.map((x) => x.duration)),
          longTasks: tasks.length,
          rssMb: rssMb(pid)
        }
      },
      async stop() {
        current = null
        await context.close().catch(() => {})
        await p.stop()
      }
    }
    current = lab
    return lab
  }

  /** 10,000 live connections with traffic on every one while the page shows them; its longest task. */
  async function runBrowserPhase({ load, count, trafficSeconds = 8 }) {
    const lab = await startLabWeb()
    try {
      await lab.mark()
      // --prof also profiles the page's main thread while the connections open.
      const openCdp = profile ? await lab.page.context().newCDPSession(lab.page) : null
      if (openCdp) {
        await openCdp.send('Profiler.enable')
        await openCdp.send('Profiler.start')
      }
      const opened = await load.rpc('open', { port: lab.port, count, concurrency: 100, timeoutMs: 60_000 }, 90_000)
      if (openCdp) {
        // Let the last batches land before stopping.
        await new Promise((r) => setTimeout(r, 1_000))
        const { profile: p } = await openCdp.send('Profiler.stop')
        mkdirSync(profileDir, { recursive: true })
        writeFileSync(join(profileDir, 'renderer-opening.cpuprofile'), JSON.stringify(p))
      }
      const ramp = await lab.stats()
      await lab.mark()
      await load.rpc('trickle', { intervalMs: 1_000 })
      // --prof also profiles the page's main thread while 10,000 connections have traffic.
      const cdp = profile ? await lab.page.context().newCDPSession(lab.page) : null
      if (cdp) {
        await cdp.send('Profiler.enable')
        await cdp.send('Profiler.start')
      }
      await new Promise((r) => setTimeout(r, trafficSeconds * 1_000))
      if (cdp) {
        const { profile: p } = await cdp.send('Profiler.stop')
        mkdirSync(profileDir, { recursive: true })
        writeFileSync(join(profileDir, 'renderer.cpuprofile'), JSON.stringify(p))
      }
      const steady = await lab.stats()
      await load.rpc('release', {}, 60_000)
      return {
        connections: opened.held,
        longestTaskMs: Math.max(ramp.longestTaskMs, steady.longestTaskMs),
        whileOpening: ramp,
        withTraffic: steady
      }
    } finally {
      await lab.stop()
    }
  }

  return {
    startLabWeb,
    runBrowserPhase,
    async close() {
      await current?.stop()
      await browser.close()
    }
  }
}
