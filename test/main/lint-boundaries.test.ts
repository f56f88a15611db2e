import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'

// The architecture's import rules (eslint.config.mjs, eslint/boundaries.mjs) run on files that exist only in
// memory: lintText with a path inside the repo applies the config for that path and writes nothing into src/.
const root = fileURLToPath(new URL('../..', import.meta.url))
let eslint: ESLint

async function boundaryMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) })
  return result.messages.filter((m) => m.ruleId === 'boundaries/imports').map((m) => m.message)
}

beforeAll(async () => {
  eslint = new ESLint({ cwd: root })
  // Loading the config and its plugins takes a few seconds on a busy machine: once, here.
  await eslint.lintText('export {}\n', { filePath: join(root, 'src/shared/warm-up.ts') })
}, 60_000)

describe('lint: the architecture as import rules', () => {
  it('fails an engine file that imports electron, and says where to go instead', async () => {
    const messages = await boundaryMessages(
      'src/main/engine/probe.ts',
      "import { app } from 'electron'\nexport const a = app\n"
    )
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('src/main/engine/lab-hub.ts')
  })

  it('passes an engine file that imports only node:* and the contract', async () => {
    const code =
      "import { createServer } from 'node:net'\nimport type { LabError } from '@shared/contract'\n" +
      'export const make = (): unknown => createServer()\nexport type E = LabError\n'
    expect(await boundaryMessages('src/main/engine/probe.ts', code)).toEqual([])
  })

  it('keeps the engine and src/shared away from React, the renderer and the shell', async () => {
    expect(
      await boundaryMessages('src/main/engine/probe.ts', "export { x } from '../../renderer/src/App'\n")
    ).toHaveLength(1)
    expect(await boundaryMessages('src/main/engine/probe.ts', "export * from '../web/web-server'\n")).toHaveLength(1)
    expect(
      await boundaryMessages('src/shared/probe.ts', "import { useState } from 'react'\nexport const u = useState\n")
    ).toHaveLength(1)
    expect(
      await boundaryMessages(
        'src/shared/probe.ts',
        "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n"
      )
    ).toHaveLength(1)
    expect(
      await boundaryMessages('src/shared/probe.ts', "export type { LabHub } from '../main/engine/lab-hub'\n")
    ).toHaveLength(1)
  })

  it('keeps node:*, Electron and the main process out of the renderer', async () => {
    const file = 'src/renderer/src/features/servers/probe.ts'
    expect(
      await boundaryMessages(file, "import { readFile } from 'node:fs/promises'\nexport const r = readFile\n")
    ).toHaveLength(1)
    expect(await boundaryMessages(file, "import { join } from 'path'\nexport const j = join\n")).toHaveLength(1)
    expect(
      await boundaryMessages(file, "export type { LabHub } from '../../../../main/engine/lab-hub'\n")
    ).toHaveLength(1)
    expect(await boundaryMessages(file, "export const load = () => import('../../../../main/web/cli')\n")).toHaveLength(
      1
    )
    // The preload's API type is the one thing the renderer shares with it.
    expect(await boundaryMessages(file, "export type { TcpLabPreloadApi } from '../../../../preload/api'\n")).toEqual(
      []
    )
  })

  it('allows ipcRenderer only in the preload and ipcMain only in the IPC adapter', async () => {
    const renderer = "import { ipcRenderer } from 'electron'\nexport const r = ipcRenderer\n"
    const main = "import { ipcMain } from 'electron'\nexport const m = ipcMain\n"
    expect(await boundaryMessages('src/main/window-probe.ts', renderer)).toEqual([
      expect.stringContaining('ipcRenderer is used only in src/preload')
    ])
    expect(await boundaryMessages('src/preload/index.ts', renderer)).toEqual([])
    expect(await boundaryMessages('src/main/window.ts', main)).toEqual([
      expect.stringContaining('src/main/ipc-adapter.ts')
    ])
    expect(await boundaryMessages('src/main/ipc-adapter.ts', main)).toEqual([])
    expect(
      await boundaryMessages('src/main/web/probe.ts', "import { app } from 'electron'\nexport const a = app\n")
    ).toHaveLength(1)
    // Launch code is shared by both front doors and reaches around neither.
    expect(
      await boundaryMessages('src/main/launch/probe.ts', "export { setupIpc } from '../ipc-adapter'\n")
    ).toHaveLength(1)
    expect(
      await boundaryMessages('src/main/launch/probe.ts', "export { startWebServer } from '../web/web-server'\n")
    ).toHaveLength(1)
    expect(
      await boundaryMessages('src/main/launch/probe.ts', "export { createLabHub } from '../engine/lab-hub'\n")
    ).toEqual([])
  })

  it('lets features share code only through the shared UI folder', async () => {
    const file = 'src/renderer/src/features/kernel/probe.tsx'
    expect(await boundaryMessages(file, "export { ServerCard } from '../servers/server-card'\n")).toEqual([
      expect.stringContaining('src/renderer/src/ui/')
    ])
    expect(
      await boundaryMessages(file, "export { ServerCard } from '@renderer/features/servers/server-card'\n")
    ).toHaveLength(1)
    expect(
      await boundaryMessages(
        file,
        "export { ErrorAlert } from '@renderer/ui/error-alert'\nexport { x } from './kernel-table'\n"
      )
    ).toEqual([])
    // Layout composes the panels; ui/ and store/ never reach up into a feature.
    expect(
      await boundaryMessages(
        'src/renderer/src/features/layout/probe.tsx',
        "export { ServerList } from '../servers/server-list'\n"
      )
    ).toEqual([])
    expect(
      await boundaryMessages(
        'src/renderer/src/ui/probe.tsx',
        "export { ServerList } from '../features/servers/server-list'\n"
      )
    ).toHaveLength(1)
  })
})
