// Words for the flood policy's markers, shared by every view that shows a traffic record.
import { formatBytes } from './byte-format'
import type { TrafficFloodPolicy, TrafficGap } from './model'

/** `not kept (flood): 12.3 MiB in 201 chunks` for one gap marker of a traffic record. */
export function gapLabel(gap: TrafficGap): string {
  return `not kept (flood): ${formatBytes(gap.bytes)} in ${gap.chunks.toLocaleString('en')} chunk${gap.chunks === 1 ? '' : 's'}`
}

/** One sentence saying what the lab keeps of a flood (for a tooltip or the detail view's note). */
export function floodPolicyNote(p: TrafficFloodPolicy): string {
  return (
    `Every chunk's size, time and direction are kept and the counters are exact. Bytes are kept in full for the first ` +
    `${formatBytes(p.headBytes)} of a connection and at up to ${formatBytes(p.keepBytesPerSecond)}/s after that ` +
    `(bursts of ${formatBytes(p.keepBurstBytes)}); past that rate a chunk is marked "not kept (flood)" and only the ` +
    `newest bytes of the latest one are kept, so a flood costs the lab little.`
  )
}
