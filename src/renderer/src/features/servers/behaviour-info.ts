import type { Behaviour } from '@shared/model'

/** One line per behaviour: what a client sees when it talks to the server. */
export const BEHAVIOUR_INFO: Record<Behaviour, string> = {
  echo: 'Sends every chunk back the moment it arrives (RFC 862).',
  'echo-after-eof':
    'Reads until the client half-closes (EOF), then sends it all back and closes: the lesson’s demo server.',
  discard: 'Reads and counts everything, answers nothing (RFC 863).',
  uppercase: 'Sends back what it reads, in upper case.',
  chargen: 'Streams printable characters until the client closes (RFC 864).',
  daytime: 'Sends the date and time as one line, then closes (RFC 867).',
  chat: 'Relays each line from one client to every other client.',
  telemetry: 'Pushes a line of readings to each client at a fixed interval; input is ignored.',
  http: 'Answers each HTTP request with a small page: try curl or a browser.',
  manual: 'Does nothing by itself: you send, half-close and close by hand.',
  respond:
    'Answers each message (line, length-prefixed, HTTP, RESP…) by your rules: match, reply template, delay, then close.'
}
