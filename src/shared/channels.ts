/** Every command's IPC channel (`domain:verb`). Free of zod so the sandboxed preload can import it. */
export const COMMAND_CHANNELS = [
  'lab:snapshot',
  'lab:ack',
  'server:start',
  'server:stop',
  'server:configure',
  'server:close-all',
  'client:connect',
  'connection:send',
  'connection:action',
  'connection:traffic',
  'connection:clear-closed',
  'kernel:sockets',
  'server:certificate',
  'proxy:create',
  'proxy:update',
  'proxy:delete',
  'proxy:list',
  'proxy:reset',
  'toxic:add',
  'toxic:update',
  'toxic:remove',
  'respond:test',
  'respond:stats',
  'workspace:get',
  'workspace:export',
  'workspace:import',
  'workspace:save',
  'workspace:retry',
  'workspace:forget',
  'workspace:set-ui',
  'payload:list',
  'payload:save',
  'payload:delete',
  'sequence:list',
  'sequence:save',
  'sequence:delete',
  'sequence:run',
  'sequence:stop',
  'capture:export',
  'capture:record-start',
  'capture:record-stop',
  'capture:record-status',
  'replay:start',
  'replay:stop',
  'replay:list',
  'lesson:self-connect-hunt',
  'lesson:load',
  'proxy:respond',
  'proxy:certificate',
  'api:status',
  'api:configure'
] as const

/** A command's channel name. */
export type CommandChannel = (typeof COMMAND_CHANNELS)[number]

/** The channel on which event batches travel from main to a window. */
export const EVENTS_CHANNEL = 'lab:events'

/** Whether a value names a command channel. */
export function isCommandChannel(name: unknown): name is CommandChannel {
  return typeof name === 'string' && (COMMAND_CHANNELS as readonly string[]).includes(name)
}
