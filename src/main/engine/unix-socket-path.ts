import { randomBytes } from 'node:crypto'
import { link, lstat, stat, unlink } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import type net from 'node:net'
import { LabFailure } from './errors'

/**
 * Longest Unix socket path in bytes (without the terminating NUL): `sizeof(sun_path) - 1`.
 * libuv silently truncates a longer path, so the lab refuses one instead of binding at a name it did not ask for.
 */
export function unixPathMaxBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103
}

/** The identity of a socket file the lab created: a path is only ever unlinked while it is still this file. */
export interface UnixSocketIdentity {
  path: string
  dev: number
  ino: number
}

/**
 * Checks a `unix:` path from any front door and returns it absolute: blank, NUL bytes and paths over the system's
 * limit are refused with a sentence; a relative path is resolved against the lab's working directory.
 */
export function checkUnixPath(raw: string, platform: NodeJS.Platform = process.platform): string {
  if (raw.trim() === '') {
    throw new LabFailure('invalid', 'A unix: address needs a socket path', 'Write it as unix:/tmp/lab.sock.')
  }
  if (raw.includes('\0')) throw new LabFailure('invalid', 'A socket path cannot contain a NUL byte')
  // Windows named pipes (\\.\pipe\name) have their own rules and no file to protect.
  if (platform === 'win32') return raw
  const path = isAbsolute(raw) ? raw : resolve(raw)
  const bytes = Buffer.byteLength(path)
  const max = unixPathMaxBytes(platform)
  if (bytes > max) {
    throw new LabFailure(
      'ENAMETOOLONG',
      `The socket path is ${bytes} bytes long; this system allows at most ${max}`,
      `The system would silently cut it short and bind another name. Use a shorter path, e.g. in /tmp: ${path}`.slice(
        0,
        160
      )
    )
  }
  return path
}

async function identityOf(path: string): Promise<UnixSocketIdentity | null> {
  try {
    const s = await lstat(path)
    return s.isSocket() ? { path, dev: s.dev, ino: s.ino } : null
  } catch {
    return null
  }
}

/** `server.listen(options)` as a promise: resolves on 'listening', rejects with the bind error. */
export function listenOn(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening)
      reject(err)
    }
    const onListening = (): void => {
      server.removeListener('error', onError)
      resolveListen()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(options)
  })
}

function closeQuietly(server: net.Server): Promise<void> {
  return new Promise((done) => server.close(() => done()))
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code })
}

/**
 * Listens on a Unix socket at `path` without ever replacing or later deleting a file the lab did not create.
 *
 * libuv unlinks the name it bound when the listener closes, whatever is at that name by then. So the socket is
 * bound at a fresh random name in the same directory, hard-linked to `path` (link() fails if anything exists there,
 * so nothing is overwritten), and the random name removed: what libuv later unlinks is a name nobody else uses,
 * and `path` itself is only removed by `unlinkIfOurs` while it is still this socket.
 */
export async function listenUnixSafely(server: net.Server, path: string, backlog: number): Promise<UnixSocketIdentity> {
  const dir = dirname(path)
  try {
    if (!(await stat(dir)).isDirectory()) throw errno('ENOTDIR', `${dir} is not a directory`)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw code === 'ENOENT' || code === 'ENOTDIR' ? errno('ENOENT', `no such directory: ${dir}`) : err
  }
  if (process.platform === 'win32') {
    await listenOn(server, { path, backlog })
    return { path, dev: 0, ino: 0 }
  }
  const temp = join(dir, `.tcplab-${randomBytes(4).toString('hex')}`)
  if (Buffer.byteLength(temp) > unixPathMaxBytes()) {
    throw new LabFailure(
      'ENAMETOOLONG',
      `The directory ${dir} is too deep for a socket the lab can bind safely`,
      `Use a shorter directory, e.g. /tmp/${basename(path)}.`
    )
  }
  await listenOn(server, { path: temp, backlog })
  const made = await identityOf(temp)
  if (!made) {
    await closeQuietly(server)
    throw errno('EIO', `the socket at ${temp} vanished`)
  }
  try {
    await link(temp, path)
  } catch (err) {
    await closeQuietly(server)
    throw (err as NodeJS.ErrnoException).code === 'EEXIST' ? errno('EADDRINUSE', `${path} exists`) : err
  } finally {
    // Only the name the lab just created, and only while it is still the lab's socket.
    if (await sameFile(temp, made)) await unlink(temp).catch(() => undefined)
  }
  return { path, dev: made.dev, ino: made.ino }
}

async function sameFile(path: string, id: UnixSocketIdentity): Promise<boolean> {
  const now = await identityOf(path)
  return now !== null && now.dev === id.dev && now.ino === id.ino
}

/** Removes the socket file at `id.path` only if it is still the socket the lab created; returns whether it did. */
export async function unlinkIfOurs(id: UnixSocketIdentity): Promise<boolean> {
  if (process.platform === 'win32') return false
  if (!(await sameFile(id.path, id))) return false
  await unlink(id.path).catch(() => undefined)
  return true
}
