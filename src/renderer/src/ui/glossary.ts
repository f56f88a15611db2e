/** Short, accurate definitions of the terms the lab uses (kept consistent with the lesson notes). */
export const GLOSSARY = {
  '4-tuple':
    'A TCP connection is identified by four values: source IP, source port, destination IP, destination port. Two clients of one server port differ in at least their address or their (ephemeral) port.',
  'half-close':
    'One side calls shutdown(SHUT_WR): it sends FIN and writes no more, yet can still read. The other side reads end of file (0 bytes) and can still send back.',
  RST: "Reset: an abortive end of a connection. The receiver drops it at once; its next read or write fails with 'connection reset by peer', and data not yet read is thrown away.",
  backlog:
    "listen()'s argument: how many connections the kernel may queue after completing their handshake but before the program accept()s them. When that accept queue is full, new attempts are refused or ignored.",
  'ephemeral port':
    "The port a client's OS picks for it when it connects without bind(): on Linux from 32768–60999 by default. It is the client's side of the 4-tuple.",
  FIN: 'The TCP flag a side sends when it has nothing more to send (close() or shutdown()). The other side reads end of file; the connection ends once both sides have sent FIN.',
  'TIME-WAIT':
    'The state the side that closed first stays in for a while (60 s on Linux) after the connection ended, so late packets of the old connection cannot be taken for a new one with the same 4-tuple.',
  'accept queue':
    "Connections the kernel has already accepted (handshake done) that wait for the program to call accept(). For a LISTEN socket, Recv-Q is this queue's length.",
  'Recv-Q':
    'Bytes the kernel has received on this socket that the program has not read yet. For a LISTEN socket: connections waiting in the accept queue.',
  'Send-Q': 'Bytes the program has written that the peer has not acknowledged yet. For a LISTEN socket: the backlog.'
} as const

/** A term with a definition. */
export type TermName = keyof typeof GLOSSARY
