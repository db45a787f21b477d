// The injectable clock through which every timer in dispenser is set.

/**
 * A source of time and timers. Everything in dispenser that waits or delays takes one, so tests
 * can drive time by hand (see `ManualClock` in `@dispenser/testing-utils`).
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) };
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; never decreases. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown or already-run handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: `performance.now()` and the global timers.
 *
 * @example
 * ```ts
 * const server = new BatchingBufferServer({ buffer, batchSize: 100, maxDelay: 5, clock: systemClock });
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};
