// A responder built in the real UI (headless Chromium on `tcp-lab web`): rules tested on a sample, started,
// talked to by a real python client whose writes cut messages, then its traffic seen as MESSAGES with the chunk
// boundaries across them. Writes messages.png (the README's picture) into TCP_LAB_SCREENSHOTS_DIR when set, e.g.
// `TCP_LAB_SCREENSHOTS_DIR=docs/screenshots npx vitest run test/e2e/responders.test.ts` after a build.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { readRows, serverCards, serverLabels, submitStartForm } from './helpers/ui'
import { selectConnection, trafficSection } from './helpers/ui-more'

const OUT = process.env.TCP_LAB_SCREENSHOTS_DIR
  ? resolve(process.env.TCP_LAB_SCREENSHOTS_DIR)
  : mkdtempSync(join(tmpdir(), 'tcp-lab-respond-'))
const keep = process.env.TCP_LAB_SCREENSHOTS_DIR !== undefined
const ui = setupLabPage({
  viewport: { width: 1440, height: 900 },
  colorScheme: 'light',
  quietPeerStdin: true,
  afterStop: () => {
    if (!keep) rmSync(OUT, { recursive: true, force: true })
  }
})

// Sends each argument as one write, after a line on stdin (the test sends one once the lab has read the previous).
const PY_WRITER = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for part in sys.argv[2:]:
    sys.stdin.readline()
    s.sendall(part.encode().decode('unicode_escape').encode('latin1'))
got = b''
while True:
    d = s.recv(4096)
    if not d: break
    got += d
sys.stdout.buffer.write(got)
`

describe('responders in the real UI', () => {
  it('tests rules on a sample, answers a real client, and shows its messages split across reads', async () => {
    const page = ui.page
    await page.getByLabel('Behaviour', { exact: true }).selectOption('respond')
    const rules = page.getByRole('group', { name: 'Responder rules' })
    await rules.getByLabel(/Sample message/).fill('HELLO bob\\r\\nPING\\r\\n')
    await rules.getByRole('button', { name: 'Test' }).click()
    const result = rules.getByRole('list', { name: 'Test result' })
    await waitFor(async () => ((await result.textContent()) ?? '').includes('rule 1 → "PONG 1\\r\\n"'), {
      what: 'the sample result'
    })
    expect(await result.textContent()).toContain('0–11 rule 2 → "hi bob\\r\\n"')

    const before = new Set(await serverLabels(page))
    await submitStartForm(page, { host: '127.0.0.1', port: '0' })
    const label = await waitFor(async () => (await serverLabels(page)).find((l) => !before.has(l)), {
      what: 'the respond server card',
      timeoutMs: 10_000
    })
    const port = Number(/:(\d+)$/.exec(label)?.[1])

    const parts = ['PI', 'NG\\r\\nHELLO bob\\r\\nQU', 'IT\\r\\n']
    const py = ui.peer('python3', ['-c', PY_WRITER, String(port), ...parts])
    const sizes = [2, 2 + 17, 2 + 17 + 4]
    for (const size of sizes) {
      py.child.stdin.write('\n')
      await waitFor(
        async () => (await readRows(page)).some((r) => r.local.endsWith(`:${port}`) && r.bytesIn === size),
        {
          what: `${size} bytes read`,
          timeoutMs: 10_000
        }
      )
    }
    await py.exited
    expect(py.output().toString()).toBe('hello from the lab\r\nPONG 1\r\nhi bob\r\nbye\r\n')
    const row = await waitFor(
      async () => (await readRows(page)).find((r) => r.local.endsWith(`:${port}`) && r.state.startsWith('closed')),
      { what: 'closed by QUIT' }
    )

    await selectConnection(page, row.id)
    await trafficSection(page).getByRole('button', { name: 'Messages' }).click()
    const inbound = page.getByRole('region', { name: 'Messages from the peer' })
    await waitFor(async () => (await inbound.getByTestId('message').count()) === 3, {
      what: 'three messages in',
      timeoutMs: 10_000
    })
    const texts = await inbound.getByTestId('message').allTextContents()
    expect(texts[0]).toContain('0–6')
    expect(texts[0]).toContain('split over 2 reads at 2')
    expect(texts[1]).toContain('6–17')
    expect(texts[2]).toContain('split over 2 reads at 19')
    expect(await inbound.getByTestId('chunk-boundary').count()).toBe(2)
    const outbound = page.getByRole('region', { name: 'Messages to the peer' })
    expect(await outbound.getByTestId('message').count()).toBe(4)

    await page.getByRole('region', { name: 'Connection detail' }).evaluate((section) => {
      const body = section.children[0]
      const traffic = body?.querySelector('section[aria-label="Traffic"]')
      if (body && traffic) body.scrollTop += traffic.getBoundingClientRect().top - body.getBoundingClientRect().top - 20
    })
    await page.screenshot({ path: join(OUT, 'messages.png'), animations: 'disabled', caret: 'hide' })

    // The server's settings show the live hit counters.
    const card = serverCards(page).and(page.getByLabel(label, { exact: true }))
    await card.getByRole('button', { name: 'Settings' }).click()
    await waitFor(async () => (await card.getByLabel('Rule 1 hits').textContent()) === '1', { what: 'rule 1 hit once' })
    expect(await card.getByLabel('Rule 3 hits').textContent()).toBe('1')
  }, 60_000)
})
