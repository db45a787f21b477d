// The injectable clock through which every timer in dispenser is set.

/**
 * A source of time and timers. Everything in dispenser that waits or delays takes one, so tests
 * can drive time by hand (see `ManualClock` in `@dispenser/testing-utils`).
 *
 * **When to use:** implement it to run dispenser on another time source; otherwise pass
 * {@link systemClock} (the default everywhere) or, in tests, a `ManualClock`.
 *
 * **Gotchas:** a handle is only meaningful to the clock that returned it: cancel it with that
 * clock's `clearTimeout`, not with the global one.
 *
 * @example
 * ```ts
 * import type { Clock } from '@dispenser/core';
 *
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (fn, ms) => setTimeout(fn, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
 * };
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; never decreases. */
  now(): number;
  /**
   * Runs `fn` once after `ms` milliseconds, however long that is (a delay of `Infinity` never
   * runs); returns a handle for {@link Clock.clearTimeout}.
   */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown or already-run handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The longest delay that one timer of Node, Bun, Deno or a browser honours (2^31-1 ms, about 24.8
 * days); a longer one fires after about 1 ms.
 */
const MAX_TIMER_DELAY = 2_147_483_647;

/**
 * The key of the method that cancels a {@link ChainedTimeout}. Registered with `Symbol.for`, so
 * the ESM and the CommonJS copy of this package cancel each other's handles.
 */
const CANCEL = Symbol.for('@dispenser/core/systemClock.cancel');

type GlobalTimer = ReturnType<typeof globalThis.setTimeout>;

/**
 * The handle of a delay above {@link MAX_TIMER_DELAY}: a chain of global timers, each at most that
 * long, of which exactly one is set at any time; cancelling clears the one that is set.
 */
class ChainedTimeout {
  #link: GlobalTimer;

  constructor(fn: () => void, ms: number) {
    this.#link = this.#schedule(fn, ms);
  }

  [CANCEL](): void {
    globalThis.clearTimeout(this.#link);
  }

  #schedule(fn: () => void, remaining: number): GlobalTimer {
    if (remaining <= MAX_TIMER_DELAY) return globalThis.setTimeout(fn, remaining);
    // `Infinity - MAX_TIMER_DELAY` stays `Infinity`: an infinite delay re-arms forever and never runs.
    return globalThis.setTimeout(() => {
      this.#link = this.#schedule(fn, remaining - MAX_TIMER_DELAY);
    }, MAX_TIMER_DELAY);
  }
}

function isChained(handle: unknown): handle is { [CANCEL](): void } {
  return (
    typeof handle === 'object' &&
    handle !== null &&
    typeof (handle as { [CANCEL]?: unknown })[CANCEL] === 'function'
  );
}

/**
 * The real clock: `performance.now()` and the global timers.
 *
 * **When to use:** it is the default `clock` of everything in dispenser; pass it explicitly only
 * to be clear about it.
 *
 * **Gotchas:**
 * - A delay above 2^31-1 ms (about 24.8 days), which a single global timer would run after about
 *   1 ms, is honoured by chaining timers of at most that length; the handle is then not a global
 *   timer, so cancel it with `systemClock.clearTimeout` (which cancels whichever link is set). A
 *   delay of `Infinity` never runs. Shorter delays get the plain global timer.
 * - Like the global timers, a timer keeps Node's event loop alive until it runs or is cleared.
 *
 * @example
 * ```ts
 * import { systemClock } from '@dispenser/core';
 *
 * const started = systemClock.now();
 * const handle = systemClock.setTimeout(() => console.log('in 30 days'), 30 * 24 * 60 * 60 * 1000);
 * systemClock.clearTimeout(handle);
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => (ms > MAX_TIMER_DELAY ? new ChainedTimeout(fn, ms) : globalThis.setTimeout(fn, ms)),
  clearTimeout: (handle) => {
    if (isChained(handle)) handle[CANCEL]();
    else globalThis.clearTimeout(handle as GlobalTimer);
  },
};
