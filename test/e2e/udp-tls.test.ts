// UDP flows and TLS servers end to end: a real `tcp-lab web`, Chromium, python3, curl and openssl as peers.
import { describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { pythonUdp } from '../helpers/udp-peers'
import { setupLabPage } from './helpers/lab-page'
import { readRows, selectServer, serverCards, serverLabels } from './helpers/ui'
import { selectConnection } from './helpers/ui-more'
import type { Page } from 'playwright-core'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })

async function startFromForm(
  page: Page,
  protocol: 'udp' | 'tls',
  behaviour: string
): Promise<{ port: number; label: string }> {
  const before = new Set(await serverLabels(page))
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
  await page.getByLabel('Port', { exact: true }).fill('0')
  await page.getByLabel('Protocol', { exact: true }).first().selectOption(protocol)
  await page.getByLabel('Behaviour', { exact: true }).selectOption(behaviour)
  await page.getByRole('button', { name: 'Start server' }).click()
  const label = await waitFor(async () => (await serverLabels(page)).find((l) => !before.has(l)), {
    what: 'a new server card',
    timeoutMs: 10_000
  })
  return { port: Number(/:(\d+)$/.exec(label)?.[1]), label }
}

describe('UDP and TLS in the interface', () => {
  it('a UDP echo server started from the form shows one flow whose datagrams from Python keep their sizes', async () => {
    const { port, label } = await startFromForm(ui.page, 'udp', 'echo')
    await selectServer(ui.page, label)
    const card = serverCards(ui.page).and(ui.page.getByLabel(label, { exact: true }))
    await expect(card.getByTestId('udp-facts').textContent()).resolves.toMatch(/flow closes after 60 s/)
    await expect(card.locator('code').first().textContent()).resolves.toBe(`nc -u 127.0.0.1 ${port}`)
    const py = await pythonUdp('127.0.0.1', port, [1, 512, 1472], 3)
    expect(py.replies).toEqual([1, 512, 1472])
    const row = await waitFor(
      async () => (await readRows(ui.page)).find((r) => r.peer === `udp127.0.0.1:${py.port}` && r.bytesOut === 1985),
      { what: 'the flow row' }
    )
    expect(row.bytesIn).toBe(1985)
    const chunks = ui.page.locator(`tr[data-connection-id="${row.id}"] [data-col="chunks"]`)
    await expect(chunks.getAttribute('data-value-in')).resolves.toBe('3')
    const detail = await selectConnection(ui.page, row.id)
    await expect(detail.getByTestId('udp-flow-facts').textContent()).resolves.toMatch(/3 datagrams in, 3 out/)
  })

  it('a TLS http server shows its certificate: openssl prints the same fingerprint, curl --cacert gets the page, a distrustful curl is a failed handshake in words', async () => {
    const { port, label } = await startFromForm(ui.page, 'tls', 'http')
    await selectServer(ui.page, label)
    const card = serverCards(ui.page).and(ui.page.getByLabel(label, { exact: true }))
    const fingerprint = (await card.getByTestId('cert-fingerprint').textContent())?.trim()
    const path = (await card.getByTestId('cert-path').textContent())?.trim() ?? ''
    const x509 = await run('openssl', ['x509', '-in', path, '-noout', '-fingerprint', '-sha256'])
    expect(x509.stdout.toString().trim()).toBe(`sha256 Fingerprint=${fingerprint}`)
    await expect(card.locator('code').first().textContent()).resolves.toBe(
      `curl --cacert ${path} https://127.0.0.1:${port}/`
    )
    const page = await run('curl', [
      '-sS',
      '--max-time',
      '5',
      '--cacert',
      path,
      `https://127.0.0.1:${port}/from-the-test`
    ])
    expect(page.stdout.toString()).toContain('GET /from-the-test HTTP/1.1')
    const refused = await run('curl', ['-sS', '--max-time', '5', `https://127.0.0.1:${port}/`])
    expect(refused.code).toBe(60)
    const rows = await waitFor(
      async () => {
        const all = (await readRows(ui.page)).filter((r) => r.peer.startsWith('tls') && r.state.startsWith('closed'))
        return all.length >= 2 ? all : undefined
      },
      { what: 'two closed TLS rows' }
    )
    const failedId = await waitFor(
      async () => {
        for (const r of rows) {
          const tag = ui.page.locator(`tr[data-connection-id="${r.id}"] [data-kind="tls"]`)
          if ((await tag.getAttribute('title'))?.startsWith('TLS handshake failed')) return r.id
        }
        return undefined
      },
      { what: 'the failed handshake row' }
    )
    const detail = await selectConnection(ui.page, failedId)
    await expect(detail.getByTestId('tls-facts').getByRole('alert').textContent()).resolves.toMatch(
      /^The client does not trust this certificate/
    )

    // The lab's own TLS client from the Connect form: verification on fails in words, off connects.
    await ui.page.getByRole('button', { name: 'Connect to…' }).click()
    const form = ui.page.getByRole('form', { name: 'Connect to a server' })
    await form.getByLabel('Remote host').fill('localhost')
    await form.getByLabel('Remote port').fill(String(port))
    await form.getByLabel('Protocol').selectOption('tls')
    await form.getByRole('button', { name: 'Connect' }).click()
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(
      /The certificate is self-signed and not trusted here/
    )
    await form.getByLabel(/Verify the certificate/).uncheck()
    await form.getByRole('button', { name: 'Connect' }).click()
    const facts = ui.page.getByRole('region', { name: 'Connection detail' }).getByTestId('tls-facts')
    await waitFor(
      async () =>
        /off \(would fail: The certificate is self-signed/.test((await facts.textContent().catch(() => '')) ?? ''),
      { what: 'the outgoing TLS facts' }
    )
    await expect(facts.textContent()).resolves.toMatch(/TLSv1\.3/)
  })
})
