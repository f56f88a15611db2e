/** A file name for an exported workspace: `tcp-lab-workspace-2026-12-01T22-30.json`. */
export function exportFileName(at = new Date()): string {
  return `tcp-lab-workspace-${at.toISOString().slice(0, 16).replace(/:/g, '-')}.json`
}

/** Offers `text` as a download (the browser's save dialog or downloads folder; Electron's save dialog). */
export function downloadText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoked after the click has been handled, so the download can start.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Largest file the import reads (the lab refuses bigger workspaces anyway). */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024

/** Reads a picked file as JSON, or says in words why it cannot be used. */
export async function readJsonFile(file: File): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  if (file.size > IMPORT_MAX_BYTES) return { ok: false, error: `${file.name} is larger than 64 MiB` }
  let text: string
  try {
    text = await readText(file)
  } catch (err) {
    return { ok: false, error: `${file.name} cannot be read: ${(err as Error).message}` }
  }
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown }
  } catch (err) {
    return { ok: false, error: `${file.name} is not JSON: ${(err as Error).message}` }
  }
}

function readText(file: File): Promise<string> {
  // FileReader rather than Blob.text(): older WebViews (and jsdom) lack the latter.
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result ?? ''))
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`))
    reader.readAsText(file)
  })
}
