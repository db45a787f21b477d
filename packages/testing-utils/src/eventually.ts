// Retrying an assertion until it passes, for outcomes that settle asynchronously.
import { systemClock, type Clock } from '@dispenser/core';
import { assertFunction, assertKnownKeys, assertObject, sleep } from '@dispenser/core/internal';
import { assertDuration } from './internal/assert-duration';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /**
   * How long to keep retrying, in milliseconds, measured on `clock`.
   * @default 1000
   */
  readonly timeout?: number;
  /**
   * How long to wait between attempts, in milliseconds.
   * @default 10
   */
  readonly interval?: number;
  /**
   * The clock that measures the timeout and the waits between attempts.
   * @default systemClock (real time)
   */
  readonly clock?: Clock;
  /** Aborting it stops the retries: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `assertion` (sync or async) until it stops throwing; rejects with its last error once
 * `timeout` has passed.
 *
 * **When to use:** for outcomes that arrive on their own schedule, like events pushed by a
 * server. With a `ManualClock` prefer advancing time and asserting directly.
 *
 * **Gotchas:** the assertion always runs at least once, and once more after the timeout is
 * reached, so a slow success just at the deadline still counts. The error is rethrown as it is,
 * so the test runner shows the assertion's own diff.
 *
 * @param assertion - throws (or rejects) while the expected state is not reached yet
 * @throws TypeError naming `assertion` when it is not a function
 * @throws TypeError / RangeError naming `timeout` or `interval` when they are not finite numbers >= 0
 * @example
 * ```ts
 * server.append(createFakeEvents(3));
 * await eventually(() => expect(subscriber.events).toHaveLength(3), { timeout: 500 });
 * ```
 */
export async function eventually(
  assertion: () => void | Promise<void>,
  options: EventuallyOptions = {},
): Promise<void> {
  assertFunction('assertion', assertion);
  assertObject('options', options);
  assertKnownKeys('options', options, ['timeout', 'interval', 'clock', 'signal']);
  const { timeout = 1_000, interval = 10, clock = systemClock, signal } = options;
  assertDuration('options.timeout', timeout);
  assertDuration('options.interval', interval);
  signal?.throwIfAborted();
  const start = clock.now();
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      signal?.throwIfAborted();
      const elapsed = clock.now() - start;
      if (elapsed >= timeout) throw error;
      await sleep(clock, Math.min(interval, timeout - elapsed), signal);
    }
  }
}
