#!/usr/bin/env node
// `npm run bench:stress`: the hardening tests (test/engine/hostile-*, fuzz-*, faults-*, test/main/fuzz-ws)
// at full size: a 1 GiB flood to echo and to discard, 5,000 connections reset in a burst, 500 fuzz runs
// per property. Loopback only. Prints the figures the tests log, then exits with vitest's status.
// Override any size: TCP_LAB_FLOOD_MIB, TCP_LAB_CHURN, TCP_LAB_FUZZ_RUNS.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const env = {
  ...process.env,
  TCP_LAB_FLOOD_MIB: process.env.TCP_LAB_FLOOD_MIB ?? '1024',
  TCP_LAB_CHURN: process.env.TCP_LAB_CHURN ?? '5000',
  TCP_LAB_FUZZ_RUNS: process.env.TCP_LAB_FUZZ_RUNS ?? '500'
}

// Each churned connection holds two descriptors in the test process (client and lab end).
const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim())
const needed = Number(env.TCP_LAB_CHURN) * 2 + 512
if (Number.isFinite(limit) && limit < needed) {
  console.warn(
    `bench:stress: the open-file limit is ${limit}; ${needed} are needed for ${env.TCP_LAB_CHURN} connections (ulimit -n ${needed}).`
  )
}

const files = [
  'test/engine/hostile-flood.test.ts',
  'test/engine/hostile-churn.test.ts',
  'test/engine/hostile-content.test.ts',
  'test/engine/hostile-nonreader.test.ts',
  'test/engine/fuzz-commands.test.ts',
  'test/engine/faults-ports.test.ts',
  'test/engine/faults-connect-timeout.test.ts',
  'test/engine/faults-consumer.test.ts',
  'test/main/fuzz-ws.test.ts'
].filter((f) => existsSync(f))

console.log(
  `bench:stress: flood ${env.TCP_LAB_FLOOD_MIB} MiB per server, churn ${env.TCP_LAB_CHURN} connections, ${env.TCP_LAB_FUZZ_RUNS} fuzz runs per property`
)
const started = Date.now()
// One file at a time, so a flood's RSS figures are not disturbed by the churn of another file.
const child = spawn('npx', ['vitest', 'run', '--project', 'engine', '--no-file-parallelism', ...files], {
  env,
  stdio: ['ignore', 'pipe', 'inherit']
})
const figures = []
let pending = ''
child.stdout.on('data', (d) => {
  process.stdout.write(d)
  pending += d.toString()
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    // eslint-disable-next-line no-control-regex
    const plain = line.replace(/\u001b\[[0-9;]*m/g, '')
    if (/^\[(hostile|fuzz|faults)-/.test(plain)) figures.push(plain)
  }
})
// The whole run is bounded: a hung test must not hang the bench.
const killer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000)
child.on('close', (code) => {
  clearTimeout(killer)
  console.log(`\nbench:stress figures (${((Date.now() - started) / 1000).toFixed(0)} s):`)
  for (const f of figures) console.log(`  ${f}`)
  process.exit(code ?? 1)
})
