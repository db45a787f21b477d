// A subscriber that records what a server pushes to it, can wait for it, fail on cue, or crash.
import { systemClock, type Clock, type Subscriber } from '@dispenser/core';
import { assertCount, assertFunction, assertKnownKeys, assertObject } from '@dispenser/core/internal';
import { assertDuration } from './internal/assert-duration';

/**
 * How a {@link TestSubscriber} handles one batch: `false` (or `undefined`) accepts it, `'throw'`
 * (or `true`) throws from `handleAssignedEvents`, `'reject'` returns a rejected promise.
 */
export type FailureMode = boolean | 'throw' | 'reject' | undefined;

/** What happened to one batch handed to a {@link TestSubscriber}. */
export interface Delivery<E> {
  /** A copy of the events in the batch. */
  readonly events: readonly E[];
  /** The `sender` argument the batch came with (usually the server). */
  readonly sender: unknown;
  /** 0 for the first batch received, 1 for the next, … */
  readonly index: number;
  /** `'accepted'`, or how the subscriber failed on it. */
  readonly outcome: 'accepted' | 'thrown' | 'rejected';
  /** The error thrown or rejected with, when the batch failed. */
  readonly error?: unknown;
}

/** Options of {@link TestSubscriber}. */
export interface TestSubscriberOptions<E> {
  /**
   * Scripts failures: called for every batch with its 0-based index; see {@link FailureMode}.
   * A failing batch is recorded in `failed`, not in `events`.
   * @default never fails
   */
  readonly failOn?: (batch: readonly E[], index: number) => FailureMode;
  /**
   * The clock that times out {@link TestSubscriber.waitForEvents} (overridable per call).
   * @default systemClock (real time)
   */
  readonly clock?: Clock;
}

/** Options of {@link TestSubscriber.waitForEvents} and {@link TestSubscriber.waitForBatches}. */
export interface WaitOptions {
  /**
   * How long to wait, in milliseconds, before rejecting.
   * @default 1000
   */
  readonly timeout?: number;
  /**
   * The clock that measures `timeout`.
   * @default the subscriber's `clock` option
   */
  readonly clock?: Clock;
  /** Aborting it stops the wait: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly ready: () => boolean;
  readonly settle: () => void;
}

/**
 * A {@link Subscriber} for tests: records every batch a server pushes to it, lets a test wait
 * until enough events arrived, fails on chosen batches, and can crash (abort its `signal`).
 *
 * **When to use:** as the subscriber of a server under test, to assert what it delivered and to
 * exercise the paths for subscribers that throw, reject or go down.
 *
 * **Gotchas:** `events` holds only accepted batches; batches it failed on are in `failed`, and
 * `batches` / `deliveries` hold both. `waitForEvents` counts accepted events. A crashed subscriber
 * still records what it is sent, so a test can assert that nothing arrived after `crash()`.
 *
 * @example
 * ```ts
 * const subscriber = new TestSubscriber<FakeEvent>({ failOn: (_batch, index) => index === 1 && 'reject' });
 * server.ask(subscriber, 10);
 * server.append(createFakeEvents(4));
 * const events = await subscriber.waitForEvents(4, { timeout: 500 });
 * subscriber.crash(); // the server sees the signal abort and cancels its demand
 * ```
 */
export class TestSubscriber<E> implements Subscriber<E> {
  readonly #controller = new AbortController();
  readonly #failOn: ((batch: readonly E[], index: number) => FailureMode) | undefined;
  readonly #clock: Clock;
  readonly #deliveries: Delivery<E>[] = [];
  readonly #batches: E[][] = [];
  readonly #events: E[] = [];
  readonly #failed: E[][] = [];
  readonly #waiters = new Set<Waiter>();

  /**
   * @throws TypeError naming `options.failOn` when it is given and is not a function
   */
  constructor(options: TestSubscriberOptions<E> = {}) {
    assertObject('options', options);
    assertKnownKeys('options', options, ['failOn', 'clock']);
    if (options.failOn !== undefined) assertFunction('options.failOn', options.failOn);
    this.#failOn = options.failOn;
    this.#clock = options.clock ?? systemClock;
  }

  /** Aborts when {@link TestSubscriber.crash} is called; servers watch it to notice the crash. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether {@link TestSubscriber.crash} was called. */
  get crashed(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The events of every accepted batch, in arrival order (a copy). */
  get events(): E[] {
    return this.#events.slice();
  }

  /** Every batch received, accepted or not, in arrival order (copies). */
  get batches(): E[][] {
    return this.#batches.map((batch) => batch.slice());
  }

  /** The batches it failed on (threw or rejected), in arrival order (copies). */
  get failed(): E[][] {
    return this.#failed.map((batch) => batch.slice());
  }

  /** One record per batch received: its events, sender, index and outcome. */
  get deliveries(): readonly Delivery<E>[] {
    return this.#deliveries.slice();
  }

  /**
   * Records a batch, then accepts it or fails on it as `failOn` decides. Called by servers.
   *
   * @throws the scripted error when `failOn` returns `true` or `'throw'`
   * @example
   * ```ts
   * subscriber.handleAssignedEvents([createFakeEvent(0)], 'sender');
   * subscriber.events; // [{ id: 0 }]
   * ```
   */
  handleAssignedEvents(events: E[], sender: unknown): void | Promise<void> {
    const batch = events.slice();
    const index = this.#batches.length;
    this.#batches.push(batch);
    const mode = this.#failOn?.(batch.slice(), index);
    if (mode === true || mode === 'throw' || mode === 'reject') {
      const error = new Error(`TestSubscriber failed on batch ${index} as scripted by failOn`);
      const outcome = mode === 'reject' ? 'rejected' : 'thrown';
      this.#failed.push(batch);
      this.#deliveries.push({ events: batch, sender, index, outcome, error });
      this.#notify();
      if (outcome === 'rejected') return Promise.reject(error);
      throw error;
    }
    for (let i = 0; i < batch.length; i++) this.#events.push(batch[i] as E);
    this.#deliveries.push({ events: batch, sender, index, outcome: 'accepted' });
    this.#notify();
  }

  /**
   * Waits until at least `n` events were accepted; resolves with all accepted events so far.
   *
   * @param n - how many events to wait for, a non-negative safe integer
   * @throws TypeError / RangeError naming `n` or `timeout` for bad arguments (thrown synchronously)
   * @throws Error (as a rejection) when `timeout` passes first; the message says how many arrived
   * @example
   * ```ts
   * const events = await subscriber.waitForEvents(3, { timeout: 200 });
   * ```
   */
  waitForEvents(n: number, options: WaitOptions = {}): Promise<E[]> {
    assertCount('n', n);
    return this.#waitFor(
      () => this.#events.length >= n,
      () => this.events,
      () => `waitForEvents(${n}) timed out with ${this.#events.length} events received`,
      options,
    );
  }

  /**
   * Waits until at least `n` batches were received (accepted or failed); resolves with them.
   *
   * @param n - how many batches to wait for, a non-negative safe integer
   * @throws TypeError / RangeError naming `n` or `timeout` for bad arguments (thrown synchronously)
   * @throws Error (as a rejection) when `timeout` passes first
   * @example
   * ```ts
   * const [first] = await subscriber.waitForBatches(1);
   * ```
   */
  waitForBatches(n: number, options: WaitOptions = {}): Promise<E[][]> {
    assertCount('n', n);
    return this.#waitFor(
      () => this.#batches.length >= n,
      () => this.batches,
      () => `waitForBatches(${n}) timed out with ${this.#batches.length} batches received`,
      options,
    );
  }

  /**
   * Simulates the subscriber going down: aborts `signal` with `reason`. Calling it again does
   * nothing.
   *
   * @param reason - the abort reason servers see
   * @default reason an `Error('TestSubscriber crashed')`
   * @example
   * ```ts
   * subscriber.crash();
   * subscriber.signal.aborted; // true
   * ```
   */
  crash(reason: unknown = new Error('TestSubscriber crashed')): void {
    this.#controller.abort(reason);
  }

  #waitFor<T>(ready: () => boolean, value: () => T, describe: () => string, options: WaitOptions): Promise<T> {
    assertObject('options', options);
    assertKnownKeys('options', options, ['timeout', 'clock', 'signal']);
    const { timeout = 1_000, clock = this.#clock, signal } = options;
    assertDuration('options.timeout', timeout);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ready()) return Promise.resolve(value());
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        this.#waiters.delete(waiter);
        clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        ready,
        settle: () => {
          finish();
          resolve(value());
        },
      };
      const onAbort = (): void => {
        finish();
        reject(signal?.reason);
      };
      const timer = clock.setTimeout(() => {
        finish();
        reject(new Error(`${describe()} after ${timeout} ms`));
      }, timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #notify(): void {
    for (const waiter of this.#waiters) if (waiter.ready()) waiter.settle();
  }
}
