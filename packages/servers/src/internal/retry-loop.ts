// One batch of a DataBuffer on its way out: flush attempts, the waits between them, and onError.
import type { Clock } from '@dispenser/core';
import { toPromise } from './async';

/** How a batch ended: written by `flush`, taken by `onError`, or kept because nobody took it. */
export type BatchOutcome =
  | { readonly tag: 'flushed' }
  | { readonly tag: 'handed' }
  | { readonly tag: 'kept'; readonly error: unknown };

/** What a {@link RetryLoop} needs from its buffer: the user's callbacks, the retry options and a clock. */
export interface RetryPolicy<K, V> {
  readonly flush: (key: K, values: V[]) => unknown;
  readonly onError: ((key: K, values: V[], error: unknown) => unknown) | undefined;
  /** Milliseconds between a failed attempt and the next one. */
  readonly retryDelay: number;
  /** Attempts in total, the first one included. */
  readonly retryMax: number;
  readonly clock: Clock;
  /** Told of every attempt that threw or rejected (for the metrics). */
  readonly attemptFailed: () => void;
}

/** Where the loop is: exactly one of these, so a retry timer only exists while it waits. */
type Phase =
  | { readonly tag: 'idle' }
  | { readonly tag: 'attempting'; readonly attempt: number }
  | { readonly tag: 'waiting'; readonly timer: unknown; readonly error: unknown }
  | { readonly tag: 'handing' }
  | { readonly tag: 'done' };

/**
 * Takes one batch of one key through `flush` attempts, `retryDelay` ms apart, up to `retryMax`
 * in total, then to `onError`, and reports the outcome once through `done`. Whatever a callback
 * returns is read the way `await` would (`toPromise`): a thenable whose `then` throws, or that
 * calls back twice, counts once, as its first settlement.
 *
 * **When to use:** inside `DataBuffer`, one loop per batch in flight; not exported from the package.
 *
 * **Gotchas:**
 * - `done` may be called synchronously inside {@link RetryLoop.run} (a synchronous `flush`).
 * - {@link RetryLoop.abandon} cannot stop a `flush` or `onError` that is running: their late
 *   outcome is still reported (a late failure as `kept`, without further attempts or `onError`).
 *
 * @example
 * ```ts
 * const loop = new RetryLoop(policy, 'users', rows, (outcome) => console.log(outcome.tag));
 * loop.run();
 * ```
 */
export class RetryLoop<K, V> {
  /** The key the batch belongs to. */
  readonly key: K;
  /** The values being written, oldest first; every attempt and `onError` get this same array. */
  readonly batch: V[];
  readonly #policy: RetryPolicy<K, V>;
  readonly #done: (outcome: BatchOutcome) => void;
  #phase: Phase = { tag: 'idle' };
  #abandoned = false;

  constructor(policy: RetryPolicy<K, V>, key: K, batch: V[], done: (outcome: BatchOutcome) => void) {
    this.#policy = policy;
    this.key = key;
    this.batch = batch;
    this.#done = done;
  }

  /**
   * Whether {@link RetryLoop.abandon} was called before the outcome was known.
   *
   * @example
   * ```ts
   * if (loop.isAbandoned) count += loop.batch.length;
   * ```
   */
  get isAbandoned(): boolean {
    return this.#abandoned && this.#phase.tag !== 'done';
  }

  /**
   * Makes the first attempt. Call it once.
   *
   * @example
   * ```ts
   * loop.run();
   * ```
   */
  run(): void {
    if (this.#phase.tag === 'idle') this.#attempt(1);
  }

  /**
   * Gives the batch up: a retry wait ends at once as `kept` (its timer cleared, with the last
   * error); an attempt or `onError` that is running is left to settle, and its outcome is still
   * reported, a failure as `kept` with no further attempt. Does nothing once the outcome is known.
   *
   * @example
   * ```ts
   * loop.abandon();
   * ```
   */
  abandon(): void {
    const phase = this.#phase;
    if (phase.tag === 'done') return;
    this.#abandoned = true;
    if (phase.tag === 'waiting') {
      this.#policy.clock.clearTimeout(phase.timer);
      this.#end({ tag: 'kept', error: phase.error });
    }
  }

  #attempt(attempt: number): void {
    this.#phase = { tag: 'attempting', attempt };
    let result: unknown;
    try {
      result = this.#policy.flush(this.key, this.batch);
    } catch (error) {
      this.#failed(attempt, error);
      return;
    }
    const promise = toPromise(result);
    if (promise === undefined) {
      this.#end({ tag: 'flushed' });
      return;
    }
    void promise.then(
      () => this.#end({ tag: 'flushed' }),
      (error: unknown) => this.#failed(attempt, error),
    );
  }

  #failed(attempt: number, error: unknown): void {
    if (this.#phase.tag !== 'attempting') return;
    this.#policy.attemptFailed();
    if (this.#abandoned) {
      this.#end({ tag: 'kept', error });
      return;
    }
    const { retryMax, retryDelay, clock } = this.#policy;
    if (attempt < retryMax) {
      const timer = clock.setTimeout(() => this.#attempt(attempt + 1), retryDelay);
      this.#phase = { tag: 'waiting', timer, error };
      return;
    }
    this.#handOver(error);
  }

  /** Every attempt failed: the batch goes to `onError`, or is kept when there is none or it fails. */
  #handOver(error: unknown): void {
    const onError = this.#policy.onError;
    if (onError === undefined) {
      this.#end({ tag: 'kept', error });
      return;
    }
    this.#phase = { tag: 'handing' };
    let result: unknown;
    try {
      result = onError(this.key, this.batch, error);
    } catch (handlerError) {
      this.#end({ tag: 'kept', error: handlerError });
      return;
    }
    const promise = toPromise(result);
    if (promise === undefined) {
      this.#end({ tag: 'handed' });
      return;
    }
    void promise.then(
      () => this.#end({ tag: 'handed' }),
      (handlerError: unknown) => this.#end({ tag: 'kept', error: handlerError }),
    );
  }

  #end(outcome: BatchOutcome): void {
    if (this.#phase.tag === 'done') return;
    this.#phase = { tag: 'done' };
    this.#done(outcome);
  }
}
