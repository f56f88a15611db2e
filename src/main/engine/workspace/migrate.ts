import { WORKSPACE_VERSION } from '@shared/workspace-model'

/** Turns a document of version N into one of version N + 1. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>

/** Migrations by the version they start from. Version 1 is the first format, so there is none yet. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {}

/** A document at the current version, or a sentence saying why it cannot be brought there. */
export type MigrateResult = { ok: true; value: Record<string, unknown>; from: number } | { ok: false; error: string }

/** Brings a parsed JSON value to the current version, one step at a time. */
export function migrateDocument(
  raw: unknown,
  current = WORKSPACE_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS
): MigrateResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'the file must hold a JSON object like {"version": 1, "servers": [...]}' }
  }
  let doc = raw as Record<string, unknown>
  const version = doc.version
  if (version === undefined)
    return { ok: false, error: `version: missing; a TCP Lab workspace starts with "version": ${current}` }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, error: `version: must be a whole number from 1, not ${JSON.stringify(version)}` }
  }
  if (version > current) {
    return {
      ok: false,
      error: `version: ${version} was written by a newer TCP Lab; this one reads versions up to ${current}`
    }
  }
  // Bounded by the version gap.
  for (let v = version; v < current; v++) {
    const step = migrations[v]
    if (!step) return { ok: false, error: `version: no way to read version ${v} files` }
    doc = { ...step(doc), version: v + 1 }
  }
  return { ok: true, value: doc, from: version }
}
