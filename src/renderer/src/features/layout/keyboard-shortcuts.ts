import { useEffect } from 'react'
import { isTypingTarget } from '@renderer/features/connections/keyboard'

/** Single-key shortcuts: each focuses the element with this id. */
export const SHORTCUT_TARGETS: Record<string, string> = {
  n: 'start-host',
  '/': 'connection-filter',
  s: 'send-box'
}

/** Installs `n` (start form), `/` (filter) and `s` (send box); ignored while typing in a field. */
export function useKeyboardShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return
      const id = SHORTCUT_TARGETS[e.key]
      if (!id) return
      const el = document.getElementById(id)
      if (!(el instanceof HTMLElement)) return
      e.preventDefault()
      // A collapsed section (the send box can be folded away) has to open before its field can take the focus.
      const folded = el.closest('details')
      if (folded && !folded.open) folded.open = true
      el.focus()
      if (el instanceof HTMLInputElement) el.select()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
