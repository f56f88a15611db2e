#!/usr/bin/env node
// `node scripts/bench-accept-js.mjs [CONNECTIONS] [ROUNDS]`: bundles scripts/bench-accept-js.ts and runs it with
// the product's V8 heap options (see that file; about 20 s).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'bench-results', '.build-accept-js')
await build({
  configFile: false,
  logLevel: 'warn',
  root,
  resolve: { alias: { '@shared': join(root, 'src/shared') } },
  build: {
    ssr: join(root, 'scripts/bench-accept-js.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { format: 'es', entryFileNames: '[name].mjs' } }
  }
})
// The flags bench.mjs gives its lab (kept equal to the product's by test/main/heap-options.test.ts).
const m = /export const HEAP_FLAGS = (\[[^\]]*\])/.exec(readFileSync(join(root, 'scripts/bench.mjs'), 'utf8'))
const HEAP_FLAGS = m ? JSON.parse(m[1].replace(/'/g, '"')) : []
const r = spawnSync(process.execPath, [...HEAP_FLAGS, join(outDir, 'bench-accept-js.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit'
})
process.exit(r.status ?? 1)
