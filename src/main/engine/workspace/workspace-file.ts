import { readFile, stat } from 'node:fs/promises'
import { describeWorkspaceIssues, WORKSPACE_VERSION, workspaceDocumentSchema } from '@shared/workspace-model'
import type { WorkspaceDocument } from '@shared/workspace-model'
import { keepAside } from './atomic-file'
import { migrateDocument } from './migrate'

/** Largest workspace file the lab reads (documented in the README). */
export const WORKSPACE_FILE_MAX_BYTES = 64 * 1024 * 1024

/** What reading a workspace file found. */
export type LoadResult =
  | { status: 'missing' }
  | { status: 'ok'; document: WorkspaceDocument; migratedFrom: number | null }
  /** Not readable or not JSON: a copy was kept aside (`keptAs`) when the bytes could be read at all. */
  | { status: 'unreadable'; message: string; keptAs: string | null }
  /** JSON, but not a valid workspace: `message` names the fields. */
  | { status: 'invalid'; message: string }

/** Checks a parsed document (any version) and brings it to the current one. */
export function checkDocument(
  raw: unknown
): { ok: true; document: WorkspaceDocument; from: number } | { ok: false; message: string } {
  const migrated = migrateDocument(raw)
  if (!migrated.ok) return { ok: false, message: migrated.error }
  const parsed = workspaceDocumentSchema.safeParse(migrated.value)
  if (!parsed.success) return { ok: false, message: describeWorkspaceIssues(parsed.error) }
  return { ok: true, document: parsed.data, from: migrated.from }
}

/** Reads and checks a workspace file; never changes it. */
export async function loadWorkspaceFile(path: string): Promise<LoadResult> {
  let size: number
  try {
    const s = await stat(path)
    if (!s.isFile()) return { status: 'unreadable', message: `${path} is not a regular file`, keptAs: null }
    size = s.size
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT') return { status: 'missing' }
    return { status: 'unreadable', message: `cannot read ${path}: ${e.code ?? e.message}`, keptAs: null }
  }
  if (size > WORKSPACE_FILE_MAX_BYTES) {
    return {
      status: 'unreadable',
      message: `${path} is ${size} bytes; a workspace is at most ${WORKSPACE_FILE_MAX_BYTES} bytes`,
      keptAs: null
    }
  }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { status: 'unreadable', message: `cannot read ${path}: ${e.code ?? e.message}`, keptAs: null }
  }
  let raw: unknown
  try {
    // A byte-order mark from a Windows editor is not part of the JSON.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    const why = text.trim() === '' ? 'it is empty' : `it is not valid JSON (${(err as Error).message})`
    const keptAs = await keepAside(path).catch(() => null)
    return { status: 'unreadable', message: `${path} cannot be read: ${why}`, keptAs }
  }
  const checked = checkDocument(raw)
  if (!checked.ok) return { status: 'invalid', message: checked.message }
  return {
    status: 'ok',
    document: checked.document,
    migratedFrom: checked.from === WORKSPACE_VERSION ? null : checked.from
  }
}
