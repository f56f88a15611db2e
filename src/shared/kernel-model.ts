import { z } from 'zod'

/** The TCP states the kernel reports in /proc/net/tcp (by their `ss` names). */
export const KERNEL_TCP_STATES = [
  'ESTABLISHED',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSE',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV'
] as const

/** One socket as the kernel sees it. */
export const kernelSocketSchema = z.object({
  family: z.enum(['IPv4', 'IPv6']),
  state: z.enum(KERNEL_TCP_STATES),
  localAddress: z.string(),
  localPort: z.number().int(),
  remoteAddress: z.string(),
  remotePort: z.number().int(),
  /** For LISTEN: connections waiting in the accept queue; otherwise bytes not yet read by the program. */
  recvQ: z.number().int(),
  /** For LISTEN: the backlog; otherwise bytes sent but not yet acknowledged by the peer. */
  sendQ: z.number().int(),
  inode: z.number().int(),
  uid: z.number().int(),
  /** The process holding the socket, where /proc lets us see it. */
  pid: z.number().int().nullable(),
  command: z.string().nullable(),
  /** The lab connection with the same 4-tuple, or the lab server listening there. */
  labConnectionId: z.number().int().nullable(),
  labServerId: z.number().int().nullable()
})
/** One kernel socket. */
export type KernelSocket = z.infer<typeof kernelSocketSchema>

/** The kernel's view at one moment. */
export const kernelViewSchema = z.object({
  at: z.number(),
  /** 'proc' on Linux; 'netstat' for the best-effort fallback elsewhere; 'unavailable' when neither works. */
  source: z.enum(['proc', 'netstat', 'unavailable']),
  note: z.string().optional(),
  sockets: z.array(kernelSocketSchema)
})
/** The kernel's view. */
export type KernelView = z.infer<typeof kernelViewSchema>
