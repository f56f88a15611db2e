import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ELECTRON_JS_FLAGS,
  electronHasHeapFlags,
  HEAP_FLAGS,
  MALLOC_ENV,
  missingHeapFlags,
  relaunchElectronWithHeapFlags
} from '../../src/main/launch/heap-options'

describe('V8 heap options', () => {
  it('names the old-generation floor and the young-generation cap, and finds each by flag name, any spelling of the value', () => {
    expect(HEAP_FLAGS).toContain('--initial-old-space-size=64')
    expect(HEAP_FLAGS).toContain('--max-semi-space-size=8')
    expect(missingHeapFlags([])).toEqual([...HEAP_FLAGS])
    expect(missingHeapFlags(['--initial-old-space-size=128'])).toEqual(['--max-semi-space-size=8'])
    expect(missingHeapFlags(['--max-semi-space-size=4'])).toEqual(['--initial-old-space-size=64'])
    expect(missingHeapFlags(['--initial_old_space_size=32', '--trace-gc', '--max_semi_space_size=16'])).toEqual([])
  })

  it('reads the Electron switch', () => {
    expect(electronHasHeapFlags(['electron', '.', ELECTRON_JS_FLAGS])).toBe(true)
    expect(electronHasHeapFlags(['electron', '.', '--js-flags=--trace-gc'])).toBe(false)
  })

  it('relaunches a packaged app once with the switch, never an unpackaged one or one that has it', () => {
    const calls: string[][] = []
    const app = (isPackaged: boolean) => ({
      isPackaged,
      relaunch: (o: { args: string[] }) => calls.push(o.args),
      exit: () => {}
    })
    const saved = process.env.TCP_LAB_HEAP_CHILD
    const savedMalloc = Object.keys(MALLOC_ENV).map((k) => [k, process.env[k]] as const)
    delete process.env.TCP_LAB_HEAP_CHILD
    for (const [k] of savedMalloc) delete process.env[k]
    try {
      expect(relaunchElectronWithHeapFlags(app(false), ['/opt/tcp-lab', '--listen', '9000'])).toBe(false)
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab', '--listen', '9000', ELECTRON_JS_FLAGS])).toBe(
        false
      )
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab', '--listen', '9000'])).toBe(true)
      expect(calls).toEqual([['--listen', '9000', ELECTRON_JS_FLAGS]])
      // The relaunched process inherits the malloc settings too.
      for (const [k, v] of Object.entries(MALLOC_ENV)) expect(process.env[k]).toBe(v)
      // The relaunched process inherits the marker: no second relaunch even if the flag was lost.
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab'])).toBe(false)
    } finally {
      if (saved === undefined) delete process.env.TCP_LAB_HEAP_CHILD
      else process.env.TCP_LAB_HEAP_CHILD = saved
      for (const [k, v] of savedMalloc) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('the bench starts its engine-only lab with the same flags', () => {
    const bench = readFileSync(new URL('../../scripts/bench.mjs', import.meta.url), 'utf8')
    const m = /export const HEAP_FLAGS = (\[[^\]]*\])/.exec(bench)
    expect(m && JSON.parse(m[1].replace(/'/g, '"'))).toEqual([...HEAP_FLAGS])
  })

  it('the proxy bench starts its lab with the same heap flags and malloc settings', () => {
    const bench = readFileSync(new URL('../../scripts/bench-proxy.mjs', import.meta.url), 'utf8')
    const flags = /const HEAP_FLAGS = (\[[^\]]*\])/.exec(bench)
    expect(flags && JSON.parse(flags[1].replace(/'/g, '"'))).toEqual([...HEAP_FLAGS])
    const m = /const MALLOC_ENV = (\{[^}]*\})/.exec(bench)
    expect(m && (new Function(`return ${m[1]}`)() as unknown)).toEqual({ ...MALLOC_ENV })
  })
})
