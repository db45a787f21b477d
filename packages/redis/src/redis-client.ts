// The Redis clients a RedisBuffer accepts: node-redis (`redis`) and `ioredis`, connected by the caller.

/**
 * A connected node-redis client (`createClient()` or `createCluster()` of the `redis` package,
 * version 5 or 6), described by the two methods the buffer uses.
 */
export interface NodeRedisClient {
  /** Sends one command, as `['XADD', key, …]`. */
  sendCommand(...args: never[]): Promise<unknown>;
  /** A new client with the same options, not yet connected. */
  duplicate(...args: never[]): unknown;
}

/** A connected `ioredis` client (`Redis` or `Cluster`, version 5 or 6), described by the two methods the buffer uses. */
export interface IoRedisClient {
  /** Sends one command, as `call('XADD', [key, …])`. */
  call(...args: never[]): Promise<unknown>;
  /** A new client with the same options, connecting on its own. */
  duplicate(...args: never[]): unknown;
}

/**
 * A Redis client the buffer runs its commands on: node-redis or ioredis, standalone or cluster,
 * created and connected by you. The buffer never closes it; it opens one extra client (with
 * `duplicate()`) per local consumer for blocking reads and closes those itself. On a cluster,
 * every key of a buffer lives in one slot (the `{name}` hash tag), so each command and script
 * goes to that slot's master.
 *
 * **Gotchas:** the server must be Redis 7.0 or newer (or Valkey) and run with
 * `maxmemory-policy noeviction`, or it may evict the buffer's keys.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * ```
 */
export type RedisClient = NodeRedisClient | IoRedisClient;
