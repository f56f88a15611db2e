import type { Behaviour } from '@shared/model'
import type { BehaviourFactory } from '../behaviours/behaviour'
import { baseBehaviour } from '../behaviours/behaviour'
import { daytimeLine } from '../behaviours/classic'
import { discard, echo, manual } from '../behaviours/simple'
import { udpRespond } from './udp-respond'

/** RFC 867's UDP form: any datagram is answered with one datagram holding the date and time; its content is ignored. */
export const udpDaytime: BehaviourFactory = () => ({
  ...baseBehaviour,
  onData(conn) {
    conn.send(Buffer.from(daytimeLine(new Date()), 'latin1'))
  },
  onPeerEnd() {}
})

/**
 * The behaviours a UDP server offers, per datagram: echo sends each datagram back as it came (RFC 862),
 * discard counts (RFC 863), daytime answers each datagram (RFC 867), manual leaves replies to the user,
 * respond answers each datagram by rule (udp-respond.ts).
 * Stream behaviours (chat, http, chargen, …) need a connection and are refused for UDP.
 */
export const UDP_BEHAVIOUR_FACTORIES: Partial<Record<Behaviour, BehaviourFactory>> = {
  echo,
  discard,
  daytime: udpDaytime,
  manual,
  respond: udpRespond
}
