import type { ToxicType } from '@shared/proxy-model'
import type { StageFactory } from '../stage'
import { bandwidthStage } from './bandwidth'
import { latencyStage } from './latency'
import { limitDataStage } from './limit-data'
import { resetPeerStage } from './reset-peer'
import { slicerStage } from './slicer'
import { slowCloseStage } from './slow-close'
import { timeoutStage } from './timeout'

/** Every fault type's stage. */
export const STAGE_FACTORIES: Record<ToxicType, StageFactory> = {
  latency: latencyStage,
  bandwidth: bandwidthStage,
  slicer: slicerStage,
  limit_data: limitDataStage,
  timeout: timeoutStage,
  reset_peer: resetPeerStage,
  slow_close: slowCloseStage
}
