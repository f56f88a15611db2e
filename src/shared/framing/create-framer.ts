import { HttpFramer } from './http-framer'
import { RespFramer } from './resp-framer'
import { DelimiterFramer, FixedFramer, LengthFramer, LineFramer, RawFramer } from './simple-framers'
import type { Framing, FramingInput } from './spec'
import { hexToBytes, normalizeFraming } from './spec'
import type { Framer, FramerOptions } from './types'

/** A fresh incremental parser for one direction of one stream. */
export function createFramer(framing: Framing | FramingInput, options?: FramerOptions): Framer {
  const s = normalizeFraming(framing)
  switch (s.type) {
    case 'raw':
      return new RawFramer(options)
    case 'line':
      return new LineFramer(s.eol, options)
    case 'delimiter':
      return new DelimiterFramer(hexToBytes(s.hex), options)
    case 'fixed':
      return new FixedFramer(s.size, options)
    case 'length':
      return new LengthFramer(s, options)
    case 'http':
      return new HttpFramer(options)
    case 'resp':
      return new RespFramer(options)
  }
}
