import type { ToxicStream, ToxicType } from './proxy-model'

/** One fault type in words: what it does, its attributes, and what each program will observe. */
export interface ToxicWords {
  title: string
  does: string
  attributes: { name: string; unit: string; hint: string }[]
  /** What the program on each side sees; `sender` wrote the bytes, `receiver` reads them. */
  observes: string
}

/** Every fault type in words (Toxiproxy's semantics). */
export const TOXIC_WORDS: Record<ToxicType, ToxicWords> = {
  latency: {
    title: 'Latency',
    does: 'Holds every chunk for latency ms (± jitter) before passing it on; chunks keep their order.',
    attributes: [
      { name: 'latency', unit: 'ms', hint: 'added delay' },
      { name: 'jitter', unit: 'ms', hint: 'random ± spread' }
    ],
    observes: 'The receiver gets each piece later; the sender notices nothing but slower answers.'
  },
  bandwidth: {
    title: 'Bandwidth',
    does: 'Passes at most rate KB/s (1 KB = 1000 bytes), big chunks cut into 100 ms slices.',
    attributes: [{ name: 'rate', unit: 'KB/s', hint: '0 = no limit' }],
    observes:
      'The receiver reads smaller pieces at a slow, steady pace; a sender that writes a lot blocks (back-pressure).'
  },
  slicer: {
    title: 'Slicer',
    does: 'Cuts each chunk into pieces of about average_size bytes, delay µs apart.',
    attributes: [
      { name: 'average_size', unit: 'bytes', hint: 'size of a piece' },
      { name: 'size_variation', unit: 'bytes', hint: 'random ± spread' },
      { name: 'delay', unit: 'µs', hint: 'pause between pieces' }
    ],
    observes:
      'The receiver sees many partial reads where the sender wrote once: a reader that assumes one read = one message breaks.'
  },
  limit_data: {
    title: 'Limit data',
    does: 'Passes exactly bytes bytes in this direction, then closes both sides.',
    attributes: [{ name: 'bytes', unit: 'bytes', hint: 'bytes let through' }],
    observes: 'The receiver gets a cut-off message followed by end of file; the sender sees its connection closed.'
  },
  timeout: {
    title: 'Timeout',
    does: 'Passes nothing; closes both sides after timeout ms (0 = hold the connection open until the toxic is removed).',
    attributes: [{ name: 'timeout', unit: 'ms', hint: '0 = black hole' }],
    observes: 'Both programs see a live connection where nothing arrives, then (unless 0) an end of file.'
  },
  reset_peer: {
    title: 'Reset peer',
    does: 'On the first data, waits timeout ms, then resets both sides (RST).',
    attributes: [{ name: 'timeout', unit: 'ms', hint: 'wait after the first data' }],
    observes: 'Both programs get "connection reset by peer" (ECONNRESET) instead of an answer; unsent data is lost.'
  },
  slow_close: {
    title: 'Slow close',
    does: 'Passes data at once but holds the end of the stream (FIN) for delay ms.',
    attributes: [{ name: 'delay', unit: 'ms', hint: 'FIN held this long' }],
    observes: 'The receiver waits for end of file longer than the sender took to close.'
  }
}

/** Toxiproxy's direction names in words. */
export function streamWords(stream: ToxicStream): string {
  return stream === 'upstream' ? 'client → server' : 'server → client'
}
