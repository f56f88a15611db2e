/** Polls `check` until it returns a truthy value or `timeoutMs` passes; a bounded wait, never a fixed sleep. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  {
    timeoutMs = 5_000,
    intervalMs = 10,
    what = 'condition'
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
