// Renders tshark's Follow TCP Stream of a capture as a picture like Wireshark's dialog (the GUI cannot run headless):
// node scripts/render-follow-stream.mjs FILE.pcapng STREAM OUT.png
import { execFileSync } from 'node:child_process'
import { chromium } from 'playwright-core'

const [file, stream = '0', out = 'follow.png'] = process.argv.slice(2)
if (!file) {
  console.error('usage: node scripts/render-follow-stream.mjs FILE.pcapng [STREAM] [OUT.png]')
  process.exit(2)
}
const text = execFileSync('tshark', ['-r', file, '-qz', `follow,tcp,ascii,${stream}`], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore']
})
const lines = text.split('\n')
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
let body = ''
let nodes = []
let side = null
for (const line of lines) {
  if (line.startsWith('Node ')) nodes.push(line.slice(8))
  else if (/^\t?\d+$/.test(line)) side = line.startsWith('\t') ? 'b' : 'a'
  else if (side && !line.startsWith('====')) body += `<span class="${side}">${esc(line)}\n</span>`
}
const html = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;font:13px system-ui,sans-serif;background:#ececec}
.win{margin:12px;border:1px solid #999;border-radius:6px;background:#f6f6f6;box-shadow:0 2px 8px #0003}
.title{padding:6px 10px;background:#dcdcdc;border-bottom:1px solid #bbb;border-radius:6px 6px 0 0}
pre{margin:10px;padding:8px;background:#fff;border:1px solid #bbb;font:12px/1.35 monospace;white-space:pre-wrap}
.a{color:#7c0000;background:#fbeded}.b{color:#000080;background:#ededfb}
.foot{padding:0 10px 10px;color:#333}</style>
<div class="win"><div class="title">Follow TCP Stream (tcp.stream eq ${stream}) · ${esc(file.split('/').pop())}</div>
<pre>${body}</pre><div class="foot">${esc(nodes[0] ?? '')} → ${esc(nodes[1] ?? '')} (red) · ${esc(nodes[1] ?? '')} → ${esc(nodes[0] ?? '')} (blue) · rendered from tshark -qz follow,tcp,ascii,${stream}</div></div>`
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] })
const page = await browser.newPage({ viewport: { width: 900, height: 400 } })
await page.setContent(html)
await page.locator('.win').screenshot({ path: out })
await browser.close()
console.log(out)
