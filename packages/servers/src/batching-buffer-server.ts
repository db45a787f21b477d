// A push server that sends in batches: once enough events wait, or after a maximum delay.
import { systemClock, type Clock } from '@dispenser/core';
import { assertClock, assertCount, assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import { BufferServer, bufferServerKeys, useFlushPolicy } from './buffer-server';
import type { FlushPolicyFactory } from './internal/flush-policy';
import type { BufferServerOptions } from './server-types';

/** Options of {@link BatchingBufferServer}. */
export type BatchingBufferServerOptions<E> = BufferServerOptions<E> & BatchingOptions;

/** What `BatchingBufferServer` adds to the options of `BufferServer`. */
export interface BatchingOptions {
  /** Events are sent at once when at least this many are buffered. A safe integer ≥ 1. */
  batchSize: number;
  /**
   * Longest wait, in milliseconds, after an append or ask that left fewer than `batchSize`
   * events, before whatever can be assigned is sent anyway. A finite number ≥ 0.
   */
  maxDelay: number;
  /**
   * Source of timers.
   * @default systemClock
   */
  clock?: Clock;
}

/**
 * A {@link BufferServer} that sends fewer, larger batches: events go out once at least
 * `batchSize` are buffered, or `maxDelay` ms after the first append or ask that found fewer,
 * whichever comes first. Same surface and failure handling as `BufferServer`.
 *
 * The exact rule: an append or ask that leaves `size >= batchSize` assigns at once; otherwise,
 * if events wait and no flush timer is pending, one is armed for `maxDelay`. The timer assigns
 * whatever can be assigned and is not re-armed until the next append or ask. `close()` flushes
 * without waiting.
 *
 * **When to use:** when each delivery has a fixed cost (a message, a syscall, a database
 * round trip) and subscribers ask for more than one event at a time.
 *
 * @example
 * ```ts
 * const server = new BatchingBufferServer<string>({
 *   buffer: new EventBuffer({ strategy: even, capacity: 1000 }),
 *   batchSize: 100,
 *   maxDelay: 50,
 * });
 * server.ask(worker, 500);
 * server.append(events);   // sent now if 100 or more are buffered, else within 50 ms
 * ```
 */
export class BatchingBufferServer<E> extends BufferServer<E> {
  /** Events sent at once when this many are buffered. */
  readonly batchSize: number;
  /** Longest delay, in milliseconds, before a smaller batch is sent. */
  readonly maxDelay: number;

  /**
   * @throws TypeError / RangeError for a bad `batchSize`, `maxDelay` or `clock`, and for
   *   everything `BufferServer` rejects
   */
  constructor(options: BatchingBufferServerOptions<E>) {
    assertObject('options', options);
    assertKnownKeys('options', options, [...bufferServerKeys, 'batchSize', 'maxDelay', 'clock']);
    const { batchSize, maxDelay, clock = systemClock } = options;
    assertCount('options.batchSize', batchSize, 1);
    if (typeof maxDelay !== 'number') {
      throw new TypeError(`options.maxDelay must be a finite number >= 0, received ${describeValue(maxDelay)}`);
    }
    if (!Number.isFinite(maxDelay) || maxDelay < 0) {
      throw new RangeError(`options.maxDelay must be a finite number >= 0, received ${describeValue(maxDelay)}`);
    }
    assertClock('options.clock', clock);
    super(options);
    useFlushPolicy(this, batchPolicy(batchSize, maxDelay, clock));
    this.batchSize = batchSize;
    this.maxDelay = maxDelay;
  }
}

/** Assign at `batchSize`; otherwise make sure a `maxDelay` timer is pending. */
function batchPolicy(batchSize: number, maxDelay: number, clock: Clock): FlushPolicyFactory {
  return (flush) => {
    let timer: unknown;
    let armed = false;
    let closed = false;
    const fire = (): void => {
      armed = false;
      timer = undefined;
      flush();
    };
    return {
      shouldAssign(buffered) {
        if (buffered >= batchSize) return true;
        // Only events that wait need the timer: an ask that finds nothing buffered arms none.
        if (buffered > 0 && !armed && !closed) {
          armed = true;
          timer = clock.setTimeout(fire, maxDelay);
        }
        return false;
      },
      close() {
        closed = true;
        if (armed) clock.clearTimeout(timer);
        armed = false;
        timer = undefined;
      },
    };
  };
}
