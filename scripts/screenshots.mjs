// Takes the README screenshots (docs/screenshots/*.png) from the real UI: runs the e2e test that drives
// `tcp-lab web` in headless Chromium with real nc/socat/telnet/curl peers and keeps its pictures.
// Build first (`npx electron-vite build`); TCP_LAB_E2E_OUT may point at another build output.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'docs', 'screenshots')
const result = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'test/e2e/ui-screenshots.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TCP_LAB_SCREENSHOTS_DIR: out },
  timeout: 180_000
})
if (result.status === 0) console.log(`Screenshots written to ${out}`)
process.exit(result.status ?? 1)
