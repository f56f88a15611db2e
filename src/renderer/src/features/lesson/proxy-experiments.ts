import type { ServerInfo } from '@shared/model'
import type { ProxyInfo } from '@shared/proxy-model'
import { buildProxyExperiments as build } from '@shared/proxy-lesson'
import type { Experiment } from './experiments'

/** "Try this" through a proxy (the words live in @shared/proxy-lesson so a test can run the commands as printed). */
export function buildProxyExperiments(servers: readonly ServerInfo[], proxies: readonly ProxyInfo[]): Experiment[] {
  return build(servers, proxies)
}
