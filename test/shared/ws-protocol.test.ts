import { describe, expect, it } from 'vitest'
import { WS_CLOSE, WS_PATH, wsClientMessageSchema, wsServerMessageSchema } from '@shared/ws-protocol'

describe('ws-protocol: the browser-mode wire format in src/shared', () => {
  it('reads the page’s frames: auth with a text token, requests with a numeric id and a name', () => {
    expect(wsClientMessageSchema.safeParse({ type: 'auth', token: 'abc' }).success).toBe(true)
    expect(wsClientMessageSchema.safeParse({ type: 'request', id: 3, name: 'lab:snapshot', payload: {} }).success).toBe(
      true
    )
    expect(wsClientMessageSchema.safeParse({ type: 'auth', token: 42 }).success).toBe(false)
    expect(wsClientMessageSchema.safeParse({ type: 'request', id: '3', name: 'lab:snapshot' }).success).toBe(false)
    expect(wsClientMessageSchema.safeParse({ type: 'request', id: 3 }).success).toBe(false)
    expect(wsClientMessageSchema.safeParse({ type: 'hello' }).success).toBe(false)
  })

  it('reads the lab’s frames: ready, batch, result, error (id null when the frame had none)', () => {
    expect(wsServerMessageSchema.safeParse({ type: 'ready' }).success).toBe(true)
    expect(wsServerMessageSchema.safeParse({ type: 'batch', batch: { seq: 1 } }).success).toBe(true)
    expect(wsServerMessageSchema.safeParse({ type: 'result', id: 1, result: { ok: true, value: {} } }).success).toBe(
      true
    )
    const error = { type: 'error', id: null, error: { code: 'bad-message', message: 'Messages must be JSON text' } }
    expect(wsServerMessageSchema.safeParse(error).success).toBe(true)
    expect(wsServerMessageSchema.safeParse({ type: 'error', id: null, error: { code: 1 } }).success).toBe(false)
    expect(wsServerMessageSchema.safeParse({ type: 'result', result: {} }).success).toBe(false)
  })

  it('names the path and the close codes both sides use', () => {
    expect(WS_PATH).toBe('/ws')
    expect(WS_CLOSE.policy).toBe(1008)
    expect(WS_CLOSE.tooBig).toBe(1009)
  })
})
