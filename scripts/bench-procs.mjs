// Process helpers of scripts/bench.mjs (Linux /proc): CPU time, descendants, the page's Chromium processes.
import { readFileSync } from 'node:fs'

/** CPU time (user + system) a process has used, ms; 0 when it is gone. */
export function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** The direct children of a process. */
export function childrenOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    return text === '' ? [] : text.split(' ').map(Number)
  } catch {
    return []
  }
}

/** Every descendant of a process (children first). */
export function descendants(pid) {
  const out = []
  const todo = [pid]
  while (todo.length > 0 && out.length < 10_000) {
    for (const c of childrenOf(todo.pop())) {
      out.push(c)
      todo.push(c)
    }
  }
  return out
}

/**
 * The process that really serves: `tcp-lab web` runs the lab in a child it starts with the V8 heap
 * options (src/main/launch/heap-options.ts), so the deepest single-child descendant of the spawned one.
 */
export function servingPid(pid) {
  let p = pid
  for (let i = 0; i < 4; i++) {
    const kids = childrenOf(p)
    if (kids.length !== 1) break
    p = kids[0]
  }
  return p
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

/** CPU ms used so far by every Chromium process this bench started (browser, renderer, GPU, utility). */
export function chromiumCpuMs() {
  let total = 0
  for (const pid of descendants(process.pid)) if (/chrom/i.test(cmdline(pid).split('\0')[0])) total += cpuMs(pid)
  return total
}

/** Counts GC lines of `--trace-gc` output, by kind. */
export function gcCounter() {
  const c = { markCompacts: 0, scavenges: 0 }
  return {
    counts: c,
    line(l) {
      if (l.includes('Mark-Compact')) c.markCompacts++
      else if (l.includes('Scavenge')) c.scavenges++
    },
    snapshot: () => ({ ...c })
  }
}

/** CPU ms so far of each Chromium process this bench started, by its --type (browser, renderer, gpu-process, utility). */
export function chromiumCpuByType() {
  const out = {}
  for (const pid of descendants(process.pid)) {
    const argv = cmdline(pid).split(/[\0 ]/)
    if (!/chrom/i.test(argv[0])) continue
    const type = (argv.find((a) => a.startsWith('--type=')) ?? '--type=browser').slice(7)
    out[type] = (out[type] ?? 0) + cpuMs(pid)
  }
  return out
}
