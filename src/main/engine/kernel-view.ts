import type { CommandRequest, CommandValue } from '@shared/contract'
import type { Lab } from './lab'

/** The kernel's sockets for the lab's ports (or all), linked to the lab's rows. Filled in by the kernel module. */
export async function readKernelView(_lab: Lab, _req: CommandRequest<'kernel:sockets'>): Promise<CommandValue<'kernel:sockets'>> {
  return { at: Date.now(), source: 'unavailable', note: 'The kernel view is not built yet.', sockets: [] }
}
