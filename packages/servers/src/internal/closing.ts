// The one promise every close() of a server returns, and the signals that may stop its wait.
import { readSignal } from '@dispenser/core/internal';

/**
 * A server's `close(options)`: checks `options` (a bad one rejects, changing nothing), begins the
 * close on the first call (`begin` makes the {@link Closing}, stores it and starts the final
 * round), watches the signal of every call, and returns the one promise of the close.
 */
export function requestClose(current: Closing | undefined, options: unknown, begin: () => Closing): Promise<void> {
  let signal: AbortSignal | undefined;
  try {
    signal = readSignal(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const closing = current ?? begin();
  if (signal !== undefined) closing.watch(signal);
  return closing.promise;
}

/**
 * A server's close in progress: one promise for every `close()` call, settled once the server
 * finished its final round and no handler promise is pending, or rejected when a watched signal
 * aborts first. An abort before the final round is over takes effect when it is.
 */
export class Closing {
  readonly promise: Promise<void>;
  readonly #abandon: () => void;
  readonly #signals: Array<[AbortSignal, () => void]> = [];
  #resolve!: () => void;
  #reject!: (reason: unknown) => void;
  /** Whether the final round is over and the wait for handlers began. */
  #waiting = false;
  #settled = false;
  #abortedWith: { reason: unknown } | undefined;

  /** @param abandon - stops watching the pending handlers (called once, on abort) */
  constructor(abandon: () => void) {
    this.#abandon = abandon;
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Stops the wait when `signal` aborts (at once when it already has). */
  watch(signal: AbortSignal): void {
    if (this.#settled) return;
    if (signal.aborted) {
      this.#abort(signal.reason);
      return;
    }
    const listener = (): void => this.#abort(signal.reason);
    signal.addEventListener('abort', listener, { once: true });
    this.#signals.push([signal, listener]);
  }

  /** The final round is over: settle when `settled()` resolves, unless a signal aborts first. */
  waitFor(settled: () => Promise<void>): void {
    this.#waiting = true;
    if (this.#abortedWith !== undefined) {
      this.#stop(this.#abortedWith.reason);
      return;
    }
    settled().then(
      () => this.#finish(undefined),
      (error: unknown) => this.#finish({ reason: error }),
    );
  }

  #abort(reason: unknown): void {
    if (this.#settled || this.#abortedWith !== undefined) return;
    this.#abortedWith = { reason };
    if (this.#waiting) this.#stop(reason);
  }

  #stop(reason: unknown): void {
    if (this.#settled) return;
    this.#abandon();
    this.#finish({ reason });
  }

  #finish(failure: { reason: unknown } | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const [signal, listener] of this.#signals) signal.removeEventListener('abort', listener);
    this.#signals.length = 0;
    if (failure === undefined) this.#resolve();
    else this.#reject(failure.reason);
  }
}
