import type { CaptureFile } from '@shared/model'
import { fromBase64 } from './compare'

/** Saves an exported file through the browser's download (the same in Electron and browser mode). */
export function downloadFile(file: CaptureFile): void {
  const body = file.encoding === 'base64' ? fromBase64(file.content) : file.content
  const blob = new Blob([body as BlobPart], { type: file.mime })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // The download has started from the URL; let it go a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Reads a chosen file as base64 (a pcapng to replay). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let bin = ''
  // In slices: String.fromCharCode takes a bounded argument list.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}
