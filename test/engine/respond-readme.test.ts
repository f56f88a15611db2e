import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'

let lab: TestLab
afterEach(async () => lab?.dispose())

/** The responder example in the README's "Responders and framing" section. */
function readmeExample(): { options: Record<string, unknown> } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Responders and framing'))
  const json = /```json\n([\s\S]*?)```/.exec(section)
  if (!json) throw new Error('no JSON example in the README section')
  return JSON.parse(json[1]) as { options: Record<string, unknown> }
}

describe('the README responder example', () => {
  it('runs as written, against the real nc', async () => {
    lab = createTestLab()
    const { options } = readmeExample()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'respond', options })
    const r = await run('nc', ['127.0.0.1', String(server.bound.port)], {
      input: 'helo me\r\nNOOP\r\nNOOP\r\nwhat\r\nQUIT\r\n'
    })
    const conn = await lab.waitConn((c) => c.serverId === server.id)
    expect(r.stdout.toString()).toBe(
      `220 lab ESMTP ready\r\n250 hello me, you are 127.0.0.1:${conn.remote.port}\r\n250 ok (1 on this connection)\r\n250 ok (2 on this connection)\r\n500 what is what?\r\n221 bye\r\n`
    )
  })
})
