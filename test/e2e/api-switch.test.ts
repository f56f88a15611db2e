// The Toxiproxy API switched on from the page (browser mode, headless Chromium), used by a real Toxiproxy client,
// seen alike by a second page, and switched off again.
import { describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import { setupLabPage } from './helpers/lab-page'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })

describe('the Toxiproxy API switch in the page', () => {
  it('switches the API on at a free port, a Toxiproxy client drives the lab, a second page agrees, and off stops it', async () => {
    const page = ui.page
    const form = page.getByRole('form', { name: 'Toxiproxy API' })
    await form.waitFor()
    await form.getByLabel('Address').fill('127.0.0.1:0')
    const toggle = form.getByRole('switch', { name: 'Toxiproxy API' })
    await toggle.click()
    const status = form.getByRole('status', { name: 'Toxiproxy API status' })
    await status.getByText(/Listening on 127\.0\.0\.1:\d+/).waitFor()
    const text = (await status.textContent()) ?? ''
    const listen = /Listening on (127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? ''
    expect(text).toContain(`toxiproxy-cli -h ${listen} list`)

    const client = new Toxiproxy(`http://${listen}`)
    await client.createProxy({ name: 'from-cli', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' })
    await page.getByRole('article', { name: 'Proxy from-cli' }).waitFor()

    // Another page of the same lab shows the same status.
    const second = await page.context().newPage()
    try {
      await second.goto(ui.lab.url)
      const secondForm = second.getByRole('form', { name: 'Toxiproxy API' })
      await secondForm.getByRole('status').getByText(`Listening on ${listen}`).waitFor({ timeout: 15_000 })
      expect(await secondForm.getByRole('switch', { name: 'Toxiproxy API' }).getAttribute('aria-checked')).toBe('true')
      await secondForm.getByRole('switch', { name: 'Toxiproxy API' }).click()
      await status.getByText(/^Off/).waitFor()
      expect(await toggle.getAttribute('aria-checked')).toBe('false')
    } finally {
      await second.close()
    }
    await expect(client.getVersion()).rejects.toThrow()
  })
})
