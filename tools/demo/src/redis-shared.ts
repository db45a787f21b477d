// What the `--redis` parent and its subscriber processes share: the client's connect, and the messages of the fork IPC channel.
import type { DropStrategy } from '@dispenser/core';
import { createClient } from 'redis';

/** What the producer appends to the Redis buffer: a number, in order. */
export interface RedisDemoEvent {
  readonly id: number;
}

/**
 * How a subscriber process runs, passed as its one argument (JSON). The buffer options are the
 * producer's: processes sharing a buffer must agree on its name, capacity and drop strategy.
 */
export interface SubscriberConfig {
  readonly url: string;
  /** The buffer's name. */
  readonly buffer: string;
  readonly capacity: number;
  readonly dropStrategy: DropStrategy;
  /** The subscriber's name in the demo (`fast`…). */
  readonly name: string;
  /** Events per second it handles: a batch of n takes n / speed seconds. */
  readonly speed: number;
  /** Most unacked events it holds (`subscribe({ maxDemand })`). */
  readonly maxDemand: number;
}

/** From the parent to a subscriber. */
export type ParentMessage =
  /** Start reading (sent once the buffer's stream exists). */
  | { readonly type: 'go' }
  /** Stop: close the buffer (the batch in hand is finished and acked), then exit. */
  | { readonly type: 'stop' };

/** From a subscriber to the parent. */
export type SubscriberMessage =
  /** Connected and ready to read. */
  | { readonly type: 'ready' }
  /** Its consumer's name in the group (`delivery.consumer`), sent with its first batch. */
  | { readonly type: 'consumer'; readonly consumer: string }
  /**
   * It handled a batch of `count` events; `redelivered` are the entry ids of those delivered
   * before (delivery count 2 or more). The batch is acked when its loop asks for the next one.
   */
  | { readonly type: 'handled'; readonly count: number; readonly redelivered: readonly string[] }
  /** Something went wrong in the background (reported by the buffer's `onError`); it goes on. */
  | { readonly type: 'error'; readonly message: string }
  /** It stopped: its buffer and client are closed, and it exits with 0. */
  | { readonly type: 'closed' }
  /** It could not start, or its loop failed; it exits with 1. */
  | { readonly type: 'failed'; readonly message: string };

/** The message of an error, or of each error of an `AggregateError` (a connect to both ::1 and 127.0.0.1). */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map((inner: unknown) => describeError(inner)))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/**
 * A connected node-redis client for `url`. The first connect fails at once (rejects with the
 * socket's error) rather than retrying forever, so an unreachable server gives a clear error;
 * once connected it reconnects with back-off. `onError` gets the client's errors (node-redis
 * would crash the process on an `error` event without a listener).
 */
export async function connectRedis(url: string, onError: (error: unknown) => void) {
  let connected = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: 3_000,
      reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, 2_000) : false),
    },
  });
  client.on('error', onError);
  await client.connect();
  connected = true;
  return client;
}

/** A client of {@link connectRedis}. */
export type DemoRedisClient = Awaited<ReturnType<typeof connectRedis>>;
