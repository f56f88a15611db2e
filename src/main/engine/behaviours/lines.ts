const EMPTY = Buffer.alloc(0)

/** Longest partial line held per connection; past it the held bytes are handed on as they are. */
export const MAX_LINE_BYTES = 64 * 1024

/** Splits a byte stream into lines ending in `\n` (terminator kept), holding the partial tail, bounded. */
export class LineBuffer {
  private tail: Buffer = EMPTY

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** The complete lines that `chunk` finishes; a partial line longer than the bound comes out unfinished. */
  push(chunk: Buffer): Buffer[] {
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk
    const lines: Buffer[] = []
    let start = 0
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      lines.push(data.subarray(start, nl + 1))
      start = nl + 1
    }
    let rest = data.subarray(start)
    if (rest.length >= this.maxLine) {
      lines.push(rest)
      rest = EMPTY
    }
    // Copy the tail so a large chunk is not kept alive by a few bytes of it.
    this.tail = rest.length > 0 ? Buffer.from(rest) : EMPTY
    return lines
  }

  /** The unfinished tail (the peer ended mid-line), or null. */
  flush(): Buffer | null {
    const t = this.tail
    this.tail = EMPTY
    return t.length > 0 ? t : null
  }
}

/** The index just past the last `\n` in `data`, or 0. */
export function endOfLastLine(data: Buffer): number {
  return data.lastIndexOf(0x0a) + 1
}
