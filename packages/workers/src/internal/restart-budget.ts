// The restart limit of a pool: at most `max` replacements within a sliding window, as an OTP supervisor allows.

/**
 * Counts the replacements of the last `window` milliseconds and says whether one more is allowed.
 *
 * @example
 * ```ts
 * const budget = new RestartBudget(2, 1_000);
 * budget.take(0);   // true
 * budget.take(10);  // true
 * budget.take(20);  // false: a third within 1 s
 * budget.take(1_015); // true: the first two left the window
 * ```
 */
export class RestartBudget {
  readonly #max: number;
  readonly #window: number;
  /** When the replacements in the window happened, oldest first. */
  readonly #times: number[] = [];

  constructor(max: number, window: number) {
    this.#max = max;
    this.#window = window;
  }

  /** Replacements counted in the window at the last {@link RestartBudget.take}. */
  get used(): number {
    return this.#times.length;
  }

  /** Records a replacement at `now` and returns `true`, or returns `false` when the limit is reached. */
  take(now: number): boolean {
    const times = this.#times;
    let expired = 0;
    while (expired < times.length && (times[expired] as number) <= now - this.#window) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= this.#max) return false;
    times.push(now);
    return true;
  }
}
