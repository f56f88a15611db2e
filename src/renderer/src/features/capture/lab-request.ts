import type { LabTransport } from '@renderer/transport/transport'

/** How the capture panels run a command (the transport's request, bound). */
export type LabRequest = LabTransport['request']
