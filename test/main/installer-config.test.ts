import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// electron-builder cannot run here (it downloads Electron); what can be checked without it is checked here.
const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (file: string): string => readFileSync(join(root, file), 'utf8')
const config = JSON.parse(read('electron-builder.json')) as {
  appId: string
  productName: string
  files: string[]
  icon: string
  linux: { target: string[] }
  mac: { target: string[] }
  win: { target: string[] }
}
const pkg = JSON.parse(read('package.json')) as {
  main: string
  scripts: Record<string, string>
  devDependencies: Record<string, string>
}

describe('installers: electron-builder configuration', () => {
  it('names the app and builds AppImage + deb, dmg and NSIS with `npm run dist`', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
    expect(config.productName).toBe('TCP Lab')
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
    expect(pkg.scripts.dist).toMatch(/^electron-vite build && electron-builder --config electron-builder\.json/)
    expect(pkg.devDependencies['electron-builder']).toBeDefined()
  })

  it('packs the built output and its icon exists', () => {
    expect(config.files).toContain('out/**/*')
    expect(existsSync(join(root, config.icon))).toBe(true)
    // A PNG electron-builder can turn into .icns/.ico needs at least 256x256 (512 here).
    const png = readFileSync(join(root, config.icon))
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(256)
  })

  it('starts the packaged app at the built main process, which the build writes', () => {
    expect(pkg.main).toBe('./out/main/index.js')
    expect(read('electron.vite.config.ts')).toContain("index: resolve(__dirname, 'src/main/index.ts')")
    // `npm test` builds first, so the entry the package names is there and is the Electron main (not the CLI).
    const built = join(root, pkg.main)
    expect(existsSync(built)).toBe(true)
    expect(readFileSync(built, 'utf8')).toContain('electron')
  })
})
