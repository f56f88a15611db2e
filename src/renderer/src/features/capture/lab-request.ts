export type { LabRequest } from '@renderer/transport/transport'
