import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, open, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Test seams: called between the steps of a save, so a test can stop one half-way. */
export interface AtomicWriteHooks {
  /** After the temporary file is written and fsynced, before it replaces the target. */
  beforeRename?: (tmpPath: string) => void | Promise<void>
}

/** The temporary file a save writes first: next to the target (same file system, so rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
}

/**
 * Replaces `path` with `data` so that a crash or a full disk leaves either the old or the new file, never a part:
 * write a temporary file in the same folder (created exclusively, so nothing else is ever overwritten), fsync it,
 * rename it over the target, fsync the folder. The temporary file is removed if the save fails before the rename.
 */
export async function writeFileAtomic(linkOrPath: string, data: string, hooks: AtomicWriteHooks = {}): Promise<void> {
  // A workspace reached through a symbolic link is written where the link points; the link itself stays.
  const path = await realpath(linkOrPath).catch(() => linkOrPath)
  const tmp = tempPathFor(path)
  // Keep the permissions a person gave the existing file; a new one is private to the user.
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o600
  )
  const fh = await open(tmp, 'wx', mode)
  let renamed = false
  try {
    try {
      await fh.writeFile(data, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await hooks.beforeRename?.(tmp)
    await rename(tmp, path)
    renamed = true
  } finally {
    // Only the file this function created exclusively is ever removed.
    if (!renamed) await unlink(tmp).catch(() => undefined)
  }
  await syncDir(dirname(path))
}

/** Makes a rename durable; some systems (Windows) cannot open a folder, which is fine there. */
async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | null = null
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without directory fsync: the rename itself is still atomic.
  } finally {
    await fh?.close().catch(() => undefined)
  }
}

/** A file-name-safe timestamp: `2026-12-01T22-30-05-123Z`. */
export function fileStamp(at = new Date()): string {
  return at.toISOString().replace(/[:.]/g, '-')
}

/**
 * Copies a file the lab could not use to `PATH.corrupt-<time>` and returns the copy's path. The original is left
 * where it is, byte for byte; the copy never replaces an existing file (a number is added instead).
 */
export async function keepAside(path: string, at = new Date()): Promise<string> {
  const base = `${path}.corrupt-${fileStamp(at)}`
  // Bounded: ten names, then give up rather than loop.
  for (let n = 0; n < 10; n++) {
    const target = n === 0 ? base : `${base}-${n}`
    try {
      await copyFile(path, target, constants.COPYFILE_EXCL)
      return target
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  throw new Error(`every name like ${base} is taken`)
}
