import type { CommandRequest, CommandValue } from '@shared/contract'
import type { Lab } from './lab'
import { readKernelSockets } from './kernel/kernel-reader'
import { linkKernelSockets } from './kernel/link-sockets'

/** The kernel's sockets on the lab's ports (or all of them), linked to the lab's own rows. */
export async function readKernelView(
  lab: Lab,
  req: CommandRequest<'kernel:sockets'>
): Promise<CommandValue<'kernel:sockets'>> {
  const ports = new Set<number>()
  for (const s of lab.servers.values()) if (s.bound.port > 0) ports.add(s.bound.port)
  for (const c of lab.connections.values()) {
    if (c.family === 'unix') continue
    ports.add(c.local.port)
    ports.add(c.remote.port)
  }
  const view = await readKernelSockets({ scope: req.scope, ports })
  const servers = [...lab.servers.values()].map((s) => s.info())
  const connections = [...lab.connections.values()].map((c) => c.info())
  return { ...view, sockets: linkKernelSockets(view.sockets, servers, connections) }
}
