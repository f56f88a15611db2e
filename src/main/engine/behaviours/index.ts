import type { Behaviour } from '@shared/model'
import type { BehaviourFactory } from './behaviour'
import { chat } from './chat'
import { chargen, daytime, telemetry } from './classic'
import { http } from './http'
import { respond } from './respond'
import { discard, echo, echoAfterEof, manual, uppercase } from './simple'

/** Every behaviour by name. */
export const BEHAVIOUR_FACTORIES: Record<Behaviour, BehaviourFactory> = {
  echo,
  'echo-after-eof': echoAfterEof(),
  discard,
  uppercase,
  chargen,
  daytime,
  chat,
  telemetry,
  http: http(),
  manual,
  respond
}
