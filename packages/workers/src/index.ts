/**
 * Worker threads as subscribers of dispenser servers: demand carried to each thread, crashes
 * recovered with a restart limit, `ArrayBuffer`s transferred on request.
 *
 * @packageDocumentation
 * @module @dispenser/workers
 */
export { WorkerPool } from './worker-pool';
export { RestartLimitError, WorkerCloneError, WorkerDownError, WorkersErrorCode } from './errors';

export type { WorkerDownReason } from './errors';
export type {
  AttachableServer,
  PoolCloseOptions,
  WorkerHandler,
  WorkerPoolMetrics,
  WorkerPoolOptions,
  WorkerPoolStats,
  WorkerResourceLimits,
} from './worker-pool-types';
