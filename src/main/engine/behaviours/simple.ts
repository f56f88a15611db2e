import type { BehaviourFactory } from './behaviour'
import { baseBehaviour } from './behaviour'

/** RFC 862 echo: every chunk goes back as it arrived; the peer's FIN is answered with ours. */
export const echo: BehaviourFactory = () => ({
  ...baseBehaviour,
  onData(conn, chunk) {
    conn.send(chunk)
  }
})

/** RFC 863 discard: read and count, reply nothing. */
export const discard: BehaviourFactory = () => ({ ...baseBehaviour })

/** Nothing automatic: the user replies, half-closes and closes by hand (a peer's FIN leaves the socket half-open). */
export const manual: BehaviourFactory = () => ({ ...baseBehaviour, onPeerEnd() {} })
