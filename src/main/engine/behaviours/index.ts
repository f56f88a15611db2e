import type { Behaviour } from '@shared/model'
import type { BehaviourFactory } from './behaviour'
import { discard, echo, manual } from './simple'

/** Every behaviour by name. Names not built yet fall back to `manual` so the registry stays total. */
export const BEHAVIOUR_FACTORIES: Record<Behaviour, BehaviourFactory> = {
  echo,
  'echo-after-eof': manual,
  discard,
  uppercase: manual,
  chargen: manual,
  daytime: manual,
  chat: manual,
  telemetry: manual,
  http: manual,
  manual
}
