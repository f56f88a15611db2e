#!/usr/bin/env node
// `tcp-lab web [options]`: builds the app on first use, then runs the browser-mode entry in plain Node.
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const pkgDir = join(__dirname, '..')
const cli = join(pkgDir, 'out', 'main', 'cli.js')
const renderer = join(pkgDir, 'out', 'renderer', 'index.html')

const wantsHelp = process.argv.slice(2).some((a) => a === '--help' || a === '-h')

if (!existsSync(cli) || (!existsSync(renderer) && !wantsHelp)) {
  process.stderr.write('tcp-lab: first run, building the app (npx electron-vite build)...\n')
  // Build output goes to stderr so stdout keeps exactly the lines a script may read (the URL).
  const built = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: pkgDir,
    stdio: ['ignore', process.stderr, process.stderr],
    shell: process.platform === 'win32'
  })
  if (built.status !== 0 || !existsSync(cli)) {
    process.stderr.write('tcp-lab: the build failed; run `npx electron-vite build` in ' + pkgDir + ' to see why\n')
    process.exit(1)
  }
}

require(cli)
