/**
 * A dispenser buffer shared by processes and machines on Redis 7 Streams: bounded with exact,
 * counted drops, consumers that pull by demand, and crash recovery with leases, ownership-checked
 * acks and a dead-letter stream.
 *
 * @packageDocumentation
 * @module @dispenser/redis
 */
export { RedisBuffer } from './redis-buffer';
export { jsonCodec } from './codec';
export { CodecError, GroupMissingError, OwnershipLostError, RedisCommandError, RedisErrorCode, RedisVersionError } from './errors';

export type { Codec } from './codec';
export type { IoRedisClient, NodeRedisClient, RedisClient } from './redis-client';
export type { RedisSubscription } from './redis-subscription';
export type {
  DeadLetter,
  FeedOptions,
  FeedTarget,
  RedisBufferMetrics,
  RedisBufferOptions,
  RedisBufferStats,
  RedisCloseOptions,
  RedisDelivery,
  RedisSubscribeOptions,
  RedisWriteOptions,
} from './redis-buffer-types';
