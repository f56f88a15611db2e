import { useEffect, useRef } from 'react'
import { isTypingTarget } from '@renderer/ui/typing-target'

/** Which saved payload (0-based) a key press sends, and where: Alt+1…9 to this connection, Alt+Shift+1…9 to all peers. */
export function payloadShortcut(
  e: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code'>
): { index: number; toAll: boolean } | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null
  // `code`, not `key`: Alt+digit types other characters on some layouts (⌥1 is "¡" on a Mac).
  const m = /^Digit([1-9])$/.exec(e.code)
  return m ? { index: Number(m[1]) - 1, toAll: e.shiftKey } : null
}

/** Installs the saved-payload shortcuts while mounted; `send` gets the payload's index and the target. */
export function usePayloadShortcuts(send: (index: number, toAll: boolean) => void): void {
  const latest = useRef(send)
  // The newest `send` (it closes over the current payloads and selection), updated after each render.
  useEffect(() => {
    latest.current = send
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return
      const hit = payloadShortcut(e)
      if (!hit) return
      e.preventDefault()
      latest.current(hit.index, hit.toAll)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
