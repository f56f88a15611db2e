import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  main: string
  bin: Record<string, string>
  scripts: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

describe('package.json: the commands the README promises', () => {
  it('fetches the Electron binary before starting (Electron 45 no longer downloads it on install)', () => {
    expect(pkg.scripts.prestart).toBe('install-electron')
    expect(pkg.scripts.predev).toBe('install-electron')
    expect(pkg.scripts.start).toMatch(/^electron-vite preview/)
    // The main process's V8 needs the heap floor at launch (src/main/launch/heap-options.ts).
    expect(pkg.scripts.start).toContain('--js-flags=--initial-old-space-size=64')
    expect(pkg.scripts.dev).toContain('--js-flags=--initial-old-space-size=64')
    expect(pkg.devDependencies.electron).toMatch(/^\^45\./)
  })

  it("points main at electron-vite's standard output and ships the tcp-lab command", () => {
    expect(pkg.main).toBe('./out/main/index.js')
    expect(pkg.bin['tcp-lab']).toBe('bin/tcp-lab.js')
    expect(pkg.scripts.test).toContain('vitest run')
    expect(pkg.scripts.bench).toBeDefined()
  })

  it('keeps what runs in browser mode in dependencies (npx tcp-lab web needs them)', () => {
    for (const dep of ['ws', 'zod']) expect(pkg.dependencies[dep]).toBeDefined()
  })
})
