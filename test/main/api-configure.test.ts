// `api:configure` / `api:status`: the Toxiproxy API switched on and off from a window, served by the real HTTP front.
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import { API_PREFS } from '@shared/api-settings'
import type { ApiStatus } from '@shared/api-settings'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { startUpstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'
import { startToxiproxyApi } from '../../src/main/api/toxiproxy-api'
import { restoreLaunchApi, startLaunchApi } from '../../src/main/launch/launch-api'
import type { LaunchOutput } from '../../src/main/launch/launch-workspace'

const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const labs: TestLab[] = []
afterEach(async () => {
  for (const l of labs.splice(0)) await l.dispose()
})

function newLab(): TestLab {
  const lab = createTestLab({ serveApi: startToxiproxyApi, workspace: { saveDelayMs: 10 } })
  labs.push(lab)
  return lab
}

/** Whether a TCP connect to 127.0.0.1:port is accepted (true) or refused (false). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

function portOf(status: ApiStatus): number {
  const m = /:(\d+)$/.exec(status.listen ?? '')
  if (!m) throw new Error(`no port in ${status.listen}`)
  return Number(m[1])
}

function apiEvents(lab: TestLab): ApiStatus[] {
  return lab.batches.flatMap((b) => b.events.flatMap((e) => (e.type === 'api.updated' ? [e.api] : [])))
}

const quiet = (): LaunchOutput & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}

describe('api:configure', () => {
  it('starts a real listener a published Toxiproxy client uses, tells every consumer, and stops it', async () => {
    const lab = newLab()
    expect(await lab.ok('api:status', {})).toEqual({ available: true, enabled: false })
    const on = await lab.ok('api:configure', { enabled: true, listen: '127.0.0.1:0' })
    expect(on).toMatchObject({ enabled: true, source: 'ui', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/) })
    expect(on.warning).toBeUndefined()
    const port = portOf(on)
    // A second consumer (another window or page) reads the same status.
    const other = lab.hub.connect(() => undefined)
    expect(await other.handle('api:status', {})).toEqual({ ok: true, value: on })
    other.close()
    await waitFor(() => apiEvents(lab).some((s) => s.enabled && s.listen === on.listen), { what: 'api.updated on' })

    const up = await startUpstream({ echo: true })
    try {
      const client = new Toxiproxy(`http://127.0.0.1:${port}`)
      const proxy = await client.createProxy({
        name: 'via-api',
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${up.port}`
      })
      expect(proxy.enabled).toBe(true)
      const listed = await lab.ok('proxy:list', {})
      expect(listed.proxies.map((p) => p.name)).toEqual(['via-api'])
    } finally {
      await up.close()
    }

    const off = await lab.ok('api:configure', { enabled: false })
    expect(off).toMatchObject({ enabled: false, listen: '127.0.0.1:0' })
    expect(await accepts(port)).toBe(false)
    await waitFor(() => apiEvents(lab).some((s) => !s.enabled), { what: 'api.updated off' })
  })

  it('a port in use is refused in words and changes nothing (the old address keeps serving)', async () => {
    const lab = newLab()
    const holder = net.createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    const taken = (holder.address() as net.AddressInfo).port
    try {
      const r1 = await lab.session.handle('api:configure', { enabled: true, listen: `127.0.0.1:${taken}` })
      expect(r1.ok).toBe(false)
      if (!r1.ok) {
        expect(r1.error.code).toBe('address-in-use')
        expect(r1.error.message).toContain(`port ${taken} is already in use`)
      }
      expect(await lab.ok('api:status', {})).toEqual({ available: true, enabled: false })

      const on = await lab.ok('api:configure', { enabled: true, listen: '127.0.0.1:0' })
      const r2 = await lab.session.handle('api:configure', { enabled: true, listen: String(taken) })
      expect(r2.ok).toBe(false)
      expect(await lab.ok('api:status', {})).toEqual(on)
      expect(await accepts(portOf(on))).toBe(true)
      expect(JSON.parse(await new Toxiproxy(`http://127.0.0.1:${portOf(on)}`).getVersion())).toHaveProperty('version')

      const bad = await lab.session.handle('api:configure', { enabled: true, listen: 'not an address' })
      expect(bad.ok).toBe(false)
      if (!bad.ok) expect(bad.error.message).toMatch(/expected PORT or HOST:PORT/)
      expect(await lab.ok('api:status', {})).toEqual(on)
    } finally {
      await new Promise((r) => holder.close(r))
    }
  })

  it('a hub without the HTTP front says so and stays off', async () => {
    const lab = createTestLab()
    labs.push(lab)
    expect(await lab.ok('api:status', {})).toEqual({ available: false, enabled: false })
    const r = await lab.session.handle('api:configure', { enabled: true, listen: '127.0.0.1:0' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('unavailable')
  })
})

describe('the API switch in the workspace', () => {
  it('is saved from the window, restored at start, and the command line wins for its run without being saved', async () => {
    const file = join(dir, 'round-trip.json')
    const first = newLab()
    await first.hub.workspace.open(file)
    await first.ok('api:configure', { enabled: true, listen: '127.0.0.1:0' })
    await first.dispose()
    labs.splice(labs.indexOf(first), 1)
    const saved = JSON.parse(await readFile(file, 'utf8')) as { ui: Record<string, unknown> }
    expect(saved.ui).toMatchObject({ [API_PREFS.enabled]: true, [API_PREFS.listen]: '127.0.0.1:0' })

    // Restored at start: on again, as the workspace remembers.
    const second = newLab()
    await second.hub.workspace.open(file)
    const out = quiet()
    await restoreLaunchApi(second.hub, out)
    const restored = await second.ok('api:status', {})
    expect(restored).toMatchObject({ enabled: true, source: 'workspace' })
    expect(out.lines).toEqual([`Toxiproxy API: http://${restored.listen}`])
    expect(await accepts(portOf(restored))).toBe(true)
    await second.dispose()
    labs.splice(labs.indexOf(second), 1)

    // `--toxiproxy-api` first: it wins over the preference and the file keeps the window's choice.
    const third = newLab()
    const launchOut = quiet()
    expect(await startLaunchApi(third.hub, { toxiproxyApi: { host: '127.0.0.1', port: 0 } }, launchOut)).toBeNull()
    const cli = await third.ok('api:status', {})
    expect(cli.source).toBe('cli')
    await third.hub.workspace.open(file)
    await restoreLaunchApi(third.hub, quiet())
    expect(await third.ok('api:status', {})).toEqual(cli)
    await third.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    await third.dispose()
    labs.splice(labs.indexOf(third), 1)
    const after = JSON.parse(await readFile(file, 'utf8')) as { ui: Record<string, unknown>; servers: unknown[] }
    expect(after.servers).toHaveLength(1)
    expect(after.ui).toMatchObject({ [API_PREFS.enabled]: true, [API_PREFS.listen]: '127.0.0.1:0' })

    // Switched off from the window: saved off, and the next start leaves it off.
    const fourth = newLab()
    await fourth.hub.workspace.open(file)
    await fourth.ok('api:configure', { enabled: false })
    await fourth.dispose()
    labs.splice(labs.indexOf(fourth), 1)
    const fifth = newLab()
    await fifth.hub.workspace.open(file)
    await restoreLaunchApi(fifth.hub, quiet())
    expect(await fifth.ok('api:status', {})).toMatchObject({ enabled: false })
  })

  it('a saved address that is taken at start is reported in words, and the preference stays on', async () => {
    const holder = net.createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    const taken = (holder.address() as net.AddressInfo).port
    try {
      const file = join(dir, 'taken.json')
      const first = newLab()
      await first.hub.workspace.open(file)
      await first.hub.workspace.handle('workspace:set-ui', {
        ui: { [API_PREFS.enabled]: true, [API_PREFS.listen]: `127.0.0.1:${taken}` }
      })
      await first.dispose()
      labs.splice(labs.indexOf(first), 1)
      const second = newLab()
      await second.hub.workspace.open(file)
      const out = quiet()
      await restoreLaunchApi(second.hub, out)
      expect(out.lines.join('\n')).toContain(`port ${taken} is already in use`)
      const st = await second.ok('api:status', {})
      expect(st).toMatchObject({ enabled: false, listen: `127.0.0.1:${taken}` })
      expect(st.error).toContain('already in use')
      expect(second.hub.workspace.status().ui[API_PREFS.enabled]).toBe(true)
    } finally {
      await new Promise((r) => holder.close(r))
    }
  })
})
