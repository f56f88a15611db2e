import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ELECTRON_JS_FLAGS,
  electronHasHeapFlags,
  HEAP_FLAGS,
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
    delete process.env.TCP_LAB_HEAP_CHILD
    try {
      expect(relaunchElectronWithHeapFlags(app(false), ['/opt/tcp-lab', '--listen', '9000'])).toBe(false)
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab', '--listen', '9000', ELECTRON_JS_FLAGS])).toBe(
        false
      )
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab', '--listen', '9000'])).toBe(true)
      expect(calls).toEqual([['--listen', '9000', ELECTRON_JS_FLAGS]])
      // The relaunched process inherits the marker: no second relaunch even if the flag was lost.
      expect(relaunchElectronWithHeapFlags(app(true), ['/opt/tcp-lab'])).toBe(false)
    } finally {
      if (saved === undefined) delete process.env.TCP_LAB_HEAP_CHILD
      else process.env.TCP_LAB_HEAP_CHILD = saved
    }
  })

  it('the bench starts its engine-only lab with the same flags', () => {
    const bench = readFileSync(new URL('../../scripts/bench.mjs', import.meta.url), 'utf8')
    const m = /export const HEAP_FLAGS = (\[[^\]]*\])/.exec(bench)
    expect(m && JSON.parse(m[1].replace(/'/g, '"'))).toEqual([...HEAP_FLAGS])
  })
})
