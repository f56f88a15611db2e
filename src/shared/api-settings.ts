import { z } from 'zod'

/** Toxiproxy's own default address: its CLI and clients find the API there without options. */
export const DEFAULT_API_LISTEN = '127.0.0.1:8474'

/** The UI preferences (workspace `ui`) that remember the API switch and its address between runs. */
export const API_PREFS = { enabled: 'toxiproxyApi.enabled', listen: 'toxiproxyApi.listen' } as const

/** Where the Toxiproxy-compatible API stands: every window and page reads the same status. */
export const apiStatusSchema = z.object({
  /** Whether this lab can serve the API at all (the HTTP front is wired in both the app and `tcp-lab web`). */
  available: z.boolean(),
  enabled: z.boolean(),
  /** The bound address while enabled (`127.0.0.1:8474`); the address last asked for while off. */
  listen: z.string().optional(),
  /** Why it is not listening though it was asked to (e.g. the saved address was taken at start). */
  error: z.string().optional(),
  /** Set while it listens beyond loopback: anyone who reaches it can open ports on this machine. */
  warning: z.string().optional(),
  /** Who set it: the command line (for this run only, never saved), the window, or the workspace at start. */
  source: z.enum(['cli', 'ui', 'workspace']).optional()
})
/** Where the Toxiproxy-compatible API stands. */
export type ApiStatus = z.infer<typeof apiStatusSchema>

/** `api:configure`: switch the API on or off; `listen` is `[HOST:]PORT` (loopback 127.0.0.1 unless a host is given). */
export const apiConfigureSchema = z.strictObject({
  enabled: z.boolean({ error: 'enabled must be true or false' }),
  listen: z
    .string({ error: 'The address must be text, e.g. "127.0.0.1:8474" or "8474"' })
    .trim()
    .min(1, 'The address is empty; give a port, e.g. 8474')
    .max(300, 'The address is at most 300 characters')
    .optional()
})
/** An `api:configure` request. */
export type ApiConfigure = z.infer<typeof apiConfigureSchema>
