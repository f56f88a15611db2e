// Runs @doyensec/electronegativity over src/ (offline: the Electron version is given) and fails on any
// HIGH or MEDIUM finding other than its standing "review the preload" note (PRELOAD_JS_CHECK).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const out = join(mkdtempSync(join(tmpdir(), 'eneg-')), 'report.csv')
const bin = join(require.resolve('@doyensec/electronegativity/package.json'), '..', 'dist', 'index.js')
try {
  execFileSync(process.execPath, [bin, '-i', 'src', '-e', electronVersion, '-o', out], {
    stdio: 'pipe',
    timeout: 180_000
  })
} catch (err) {
  console.error('electronegativity did not run:', err.message)
  process.exit(1)
}
const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1)
const findings = rows.map((line) => {
  const [id, severity] = line.split(',')
  return { id, severity: severity.replaceAll('"', ''), line }
})
const allowed = new Set(['PRELOAD_JS_CHECK'])
const blocking = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !allowed.has(f.id))
console.log(`electronegativity ${electronVersion ? `(Electron ${electronVersion})` : ''}: ${findings.length} findings`)
for (const f of findings) console.log(`  ${f.severity.padEnd(13)} ${f.id}`)
if (blocking.length > 0) {
  console.error(`Blocking findings: ${blocking.map((f) => f.id).join(', ')}`)
  process.exit(1)
}
console.log('No HIGH or MEDIUM finding other than PRELOAD_JS_CHECK.')
