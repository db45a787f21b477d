// The option, stats and metrics shapes of RedisBuffer.
import type { Clock, DropStrategy } from '@dispenser/core';
import type { Codec } from './codec';
import type { RedisClient } from './redis-client';

/**
 * Options of `new RedisBuffer(options)`. Processes that share a buffer must agree on `name`,
 * `prefix`, `capacity`, `dropStrategy` and `codec`; the timing options are per process.
 */
export interface RedisBufferOptions<E> {
  /** A connected node-redis or ioredis client; the buffer never closes it. */
  client: RedisClient;
  /** The buffer's name, shared by every process using it: a non-empty string without `{` or `}`. */
  name: string;
  /** Most undelivered events the buffer holds; events in flight do not count. A safe integer ≥ 1. */
  capacity: number;
  /** What a full buffer does: refuse the incoming events, or skip the oldest undelivered ones. @default 'drop-newest' */
  dropStrategy?: DropStrategy;
  /** How events are stored. @default JSON */
  codec?: Codec<E>;
  /** The first part of every key: the stream is `<prefix>:{<name>}`. @default 'dispenser' */
  prefix?: string;
  /**
   * How long a consumer's lease lasts without a heartbeat (refreshed every third of it): a
   * consumer whose process is stopped, hung or cut off for longer is taken as gone and its
   * events go to the others. Milliseconds, ≥ 10.
   * @default 10_000
   */
  leaseTtl?: number;
  /**
   * How often a consumer with demand looks for events of consumers that are gone, and the
   * longest a blocking read waits. Milliseconds, ≥ 10.
   * @default 200
   */
  reaperInterval?: number;
  /**
   * An event delivered this long ago and not acked is taken from its consumer even when that
   * consumer looks alive (a handler that never returns). `Infinity` turns it off. Milliseconds, ≥ 10.
   * @default 300_000
   */
  visibilityTimeout?: number;
  /**
   * How many times an event is delivered before it goes to the dead-letter stream instead
   * (`Infinity`: never). A safe integer ≥ 1.
   * @default 5
   */
  maxDeliveries?: number;
  /** About how many entries the dead-letter stream keeps (`XADD MAXLEN ~`). @default 10_000 */
  deadLetterLimit?: number;
  /**
   * Take a consumer as gone as soon as its connection is gone from `CLIENT LIST` (about
   * `reaperInterval` after a crash) instead of waiting for its lease. Turned off by itself,
   * with one report to `onError`, where the server refuses `CLIENT LIST`.
   * @default true
   */
  detectDisconnects?: boolean;
  /** Most entries one read asks Redis for. A safe integer ≥ 1. @default 1000 */
  readCount?: number;
  /**
   * Receives what goes wrong in the background: failed reads and acks (retried),
   * {@link OwnershipLostError} for late acks, {@link CodecError} for undecodable entries, a
   * push subscriber's handler error.
   * @default report on `console.error`
   */
  onError?: (error: unknown) => void;
  /** The clock of the heartbeat and retry timers. @default systemClock */
  clock?: Clock;
}

/** What a batch carries besides its events: where it came from, for idempotent handlers. */
export interface RedisDelivery {
  /** The consumer it was delivered to. */
  readonly consumer: string;
  /** The stream entry id of each event, in batch order. */
  readonly ids: readonly string[];
  /** How many times each event has been delivered, this time included (1 = first delivery). */
  readonly deliveryCounts: readonly number[];
}

/** Gauges of `RedisBuffer.stats()`: a snapshot across all processes. */
export interface RedisBufferStats {
  /** Undelivered events (what the capacity bounds). */
  buffered: number;
  /** Consumers with a live lease, in every process. */
  subscribed: number;
  /** Their outstanding demand, as last published by their heartbeats. */
  demand: number;
  /** Delivered events not acked yet. */
  inFlight: number;
}

/**
 * Counters of `RedisBuffer.metrics()`, kept in Redis across all processes and restarts. The books
 * balance: `appended = acked + dropped + deadLettered + lost + buffered + inFlight`.
 */
export interface RedisBufferMetrics {
  /** Events offered to `append` and `write` (kept or dropped). */
  appended: number;
  /** Events the drop strategy refused or skipped. */
  dropped: number;
  /** First deliveries. */
  delivered: number;
  /** Deliveries after the first (taken over from gone consumers, or given back). */
  redelivered: number;
  /** Events moved to the dead-letter stream. */
  deadLettered: number;
  /** Events acked. */
  acked: number;
  /** Acks refused because another consumer owned the event by then. */
  ownershipLost: number;
  /** Delivered events whose entry was gone from the stream when taken over (trimmed by someone else). */
  lost: number;
}

/** Options of `RedisBuffer.subscribe()`. */
export interface RedisSubscribeOptions {
  /** Most events it holds unacked: asked at start and asked again as batches are acked. @default 100 */
  maxDemand?: number;
  /** Aborting it ends the subscription: the loop rejects with the reason and unacked events are given back. */
  signal?: AbortSignal;
}

/** Options of `RedisBuffer.write()`. */
export interface RedisWriteOptions {
  /** Aborting it stops waiting for room; events appended before that stay appended. */
  signal?: AbortSignal;
}

/** A dead-lettered event, as `RedisBuffer.deadLetters()` returns it. */
export interface DeadLetter<E> {
  /** The event. */
  event: E;
  /** Its entry id in the buffer's stream. */
  id: string;
  /** How many times it was delivered. */
  deliveries: number;
  /** `'maxDeliveries'`, or `'undecodable'` for an entry the codec could not decode. */
  reason: 'maxDeliveries' | 'undecodable';
}

/** A local server a `RedisBuffer` can feed: `BufferServer`, `BatchingBufferServer` and `BroadcastServer` fit. */
export interface FeedTarget<E> {
  /** Adds events, waiting for room. */
  write(events: readonly E[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Resolves once the server has nothing buffered and no handler running (used with `ackWhen: 'idle'`). */
  onIdle?(options?: { signal?: AbortSignal }): Promise<void>;
}

/** Options of `RedisBuffer.feed()`. */
export interface FeedOptions {
  /**
   * Most events taken from Redis and not yet acked: what the process holds for its local
   * subscribers beyond the server's own buffer. @default 100
   */
  maxDemand?: number;
  /**
   * When a batch is acked in Redis: once the server accepted it into its buffer (`'accepted'`,
   * fastest; events still in the server's buffer are lost if the process dies), or once the
   * server went idle (`'idle'`: every event was handled; slower, the pipeline drains before
   * each ack).
   * @default 'accepted'
   */
  ackWhen?: 'accepted' | 'idle';
  /** Aborting it stops feeding: the promise resolves, and unacked events go back to Redis. */
  signal?: AbortSignal;
}

/** Options of `RedisBuffer.close()`. */
export interface RedisCloseOptions {
  /**
   * Aborting stops waiting for push handlers that have not finished: `close()` rejects with the
   * signal's reason, and their batches go back to Redis for other consumers (delivery counted).
   */
  signal?: AbortSignal;
}
