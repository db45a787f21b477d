// A Go-style channel for async code: bounded FIFO hand-off between producers and consumers, with cancellation.
import { BufferClosedError, LimitedQueue } from '@dispenser/core';
import { assertCount, readSignal } from '@dispenser/core/internal';
import { WaiterQueue, settle, type Waiter } from './internal/channel-waiters';

/** Options of {@link Channel.write} and {@link Channel.read}. */
export interface ChannelWaitOptions {
  /** Aborting it while the call waits rejects the call with `signal.reason` and changes nothing. */
  signal?: AbortSignal;
}

/** What {@link Channel.tryRead} returns. */
export type ChannelReadResult<T> =
  | {
      /** A value was taken. */
      ok: true;
      /** The value taken, oldest first. */
      value: T;
    }
  | {
      /** The channel held nothing to take. */
      ok: false;
    };

interface ParkedReader<T> extends Waiter {
  resolve(value: T): void;
}

interface ParkedWriter<T> extends Waiter {
  readonly value: T;
  resolve(): void;
}

const NOTHING: unique symbol = Symbol('nothing');
const EMPTY: ChannelReadResult<never> = /*#__PURE__*/ Object.freeze({ ok: false });

/**
 * A Go-style channel: a FIFO of at most `capacity` values between async producers and consumers.
 * `write` waits while the channel is full, `read` waits while it is empty, and waiting writers and
 * readers are served in arrival order. With capacity 0 the channel is a rendezvous: a write
 * completes only once a reader has taken its value.
 *
 * **When to use:** to connect producers and consumers that run at different speeds, with
 * back-pressure instead of drops. For a buffer that drops and counts, use `LimitedQueue` from
 * `@dispenser/core`.
 *
 * **Cancellation:** every wait takes `{ signal }`. An aborted `write` leaves its value out of the
 * channel and an aborted `read` takes nothing, so an abort never loses or duplicates a value. A
 * signal that is already aborted rejects at once, even when the operation could complete.
 *
 * **Closing:** after {@link Channel.close}, writes (waiting ones included) reject with
 * `BufferClosedError`; values already buffered stay readable, and once they are drained reads
 * reject with `BufferClosedError` and `for await` loops end.
 *
 * @example
 * ```ts
 * const channel = new Channel<number>(2);
 * const consumer = (async () => {
 *   for await (const n of channel) console.log(n); // 1, 2, 3
 * })();
 * await channel.write(1);
 * await channel.write(2);
 * await channel.write(3); // waits until the consumer made room
 * channel.close();
 * await consumer;
 * ```
 * @see {@link Channel.write}, {@link Channel.read}
 */
export class Channel<T> implements AsyncIterable<T> {
  /** Most values buffered; 0 for a rendezvous channel. */
  readonly capacity: number;
  readonly #buffer: LimitedQueue<T>;
  readonly #readers = new WaiterQueue<ParkedReader<T>>();
  readonly #writers = new WaiterQueue<ParkedWriter<T>>();
  #closed = false;

  /**
   * @param capacity - most values buffered; a safe integer ≥ 0 (0 = rendezvous)
   * @throws TypeError when `capacity` is not a number
   * @throws RangeError when `capacity` is not a safe integer ≥ 0 (for example -1, 1.5, `NaN` or `Infinity`)
   * @example
   * ```ts
   * const rendezvous = new Channel<string>(0);
   * const buffered = new Channel<string>(100);
   * ```
   */
  constructor(capacity: number) {
    assertCount('capacity', capacity, 0);
    this.capacity = capacity;
    this.#buffer = new LimitedQueue<T>(Math.max(1, capacity));
  }

  /**
   * Number of values buffered (values of writers still waiting are not counted).
   *
   * @example
   * ```ts
   * const channel = new Channel<string>(3);
   * channel.tryWrite('a');
   * channel.size; // 1
   * ```
   */
  get size(): number {
    return this.#buffer.size;
  }

  /**
   * Whether {@link Channel.close} was called.
   *
   * @example
   * ```ts
   * channel.close();
   * channel.isClosed; // true
   * ```
   */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Puts a value into the channel, waiting while it is full (for capacity 0: until a reader takes
   * it). Waiting writers go in, and complete, in the order they called.
   *
   * @param options.signal - aborting it while waiting rejects with `signal.reason`; the value is
   *   then not in the channel
   * @returns a promise that resolves once the value is buffered or handed to a reader
   * @throws (rejects) `BufferClosedError` when the channel is closed before or while waiting
   * @throws (rejects) `signal.reason` when the signal is or becomes aborted first
   * @throws (rejects) TypeError when `options` or `signal` has the wrong type
   * @example
   * ```ts
   * await channel.write(event, { signal: AbortSignal.timeout(1_000) });
   * ```
   */
  write(value: T, options?: ChannelWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = readSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(closedForWriting());
    if (this.#give(value)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#writers.park({ done: false, value, resolve, reject, signal, onAbort: undefined });
    });
  }

  /**
   * Takes the oldest value, waiting while the channel is empty. Waiting readers are served in
   * the order they called.
   *
   * @param options.signal - aborting it while waiting rejects with `signal.reason`; nothing is
   *   taken from the channel
   * @returns a promise of the value
   * @throws (rejects) `BufferClosedError` when the channel is closed and has no values left
   * @throws (rejects) `signal.reason` when the signal is or becomes aborted first
   * @throws (rejects) TypeError when `options` or `signal` has the wrong type
   * @example
   * ```ts
   * const next = await channel.read({ signal });
   * ```
   */
  read(options?: ChannelWaitOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = readSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const value = this.#take();
    if (value !== NOTHING) return Promise.resolve(value);
    if (this.#closed) return Promise.reject(closedForReading());
    return new Promise<T>((resolve, reject) => {
      this.#readers.park({ done: false, resolve, reject, signal, onAbort: undefined });
    });
  }

  /**
   * Puts a value into the channel only if that needs no waiting: a reader is waiting, or there is
   * room in the buffer.
   *
   * @returns whether the value went in
   * @throws BufferClosedError when the channel is closed
   * @example
   * ```ts
   * if (!channel.tryWrite(event)) metrics.rejected++;
   * ```
   */
  tryWrite(value: T): boolean {
    if (this.#closed) throw closedForWriting();
    return this.#give(value);
  }

  /**
   * Takes the oldest value only if one is available without waiting (buffered, or offered by a
   * waiting writer).
   *
   * @returns `{ ok: true, value }`, or `{ ok: false }` when nothing is available (also once the
   *   channel is closed and drained: check {@link Channel.isClosed} to tell the two apart)
   * @example
   * ```ts
   * const result = channel.tryRead();
   * if (result.ok) handle(result.value);
   * ```
   */
  tryRead(): ChannelReadResult<T> {
    const value = this.#take();
    return value === NOTHING ? EMPTY : { ok: true, value };
  }

  /**
   * Closes the channel; calling it again does nothing. Waiting and later writes reject with
   * `BufferClosedError` (their values never enter the channel). Buffered values stay readable;
   * once they are drained, waiting and later reads reject with `BufferClosedError`.
   *
   * @example
   * ```ts
   * channel.close();
   * await channel.read(); // still returns buffered values, then rejects with BufferClosedError
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const writer of this.#writers.drain()) {
      settle(writer);
      writer.reject(closedForWriting());
    }
    // Readers only wait while nothing is buffered and no writer waits, so they will get nothing.
    for (const reader of this.#readers.drain()) {
      settle(reader);
      reader.reject(closedForReading());
    }
  }

  /**
   * Same as {@link Channel.close}, for `using channel = new Channel(n)`.
   *
   * @example
   * ```ts
   * { using channel = new Channel<number>(1); } // closed here
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Reads values until the channel is closed and drained.
   *
   * @param options.signal - aborting it ends the iteration with a rejection of `signal.reason`
   *   (no value is taken by the aborted read)
   * @example
   * ```ts
   * for await (const value of channel.values({ signal })) handle(value);
   * ```
   */
  async *values(options?: ChannelWaitOptions): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let value: T;
      try {
        value = await this.read(options);
      } catch (error) {
        if (error instanceof BufferClosedError && this.#closed && this.#buffer.size === 0) return;
        throw error;
      }
      yield value;
    }
  }

  /**
   * Iterates with `for await`, reading until the channel is closed and drained.
   *
   * @example
   * ```ts
   * for await (const value of channel) handle(value);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.values();
  }

  /** Hands `value` to the first waiting reader or buffers it; false when that would need waiting. */
  #give(value: T): boolean {
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      settle(reader);
      reader.resolve(value);
      return true;
    }
    if (this.#buffer.size < this.capacity) {
      this.#buffer.push(value);
      return true;
    }
    return false;
  }

  /** Takes the oldest value (refilling from the first waiting writer), or NOTHING. */
  #take(): T | typeof NOTHING {
    const buffer = this.#buffer;
    if (buffer.size > 0) {
      const value = buffer.pop() as T;
      const writer = this.#writers.shift();
      if (writer !== undefined) {
        buffer.push(writer.value);
        settle(writer);
        writer.resolve();
      }
      return value;
    }
    const writer = this.#writers.shift();
    if (writer === undefined) return NOTHING;
    settle(writer);
    writer.resolve();
    return writer.value;
  }
}

function closedForWriting(): BufferClosedError {
  return new BufferClosedError('cannot write: the channel is closed');
}

function closedForReading(): BufferClosedError {
  return new BufferClosedError('cannot read: the channel is closed and drained');
}
