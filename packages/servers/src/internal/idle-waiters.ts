// Callers of a server's onIdle(): settled once nothing is buffered and no handler is pending.
import type { IdleOptions } from '../server-types';
import { readSignal } from '@dispenser/core/internal';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * The callers waiting for a server to be idle. The server calls {@link IdleWaiters.check} when
 * it may have become idle (after a round, when a handler promise settles); that costs nothing
 * while nobody waits.
 */
export class IdleWaiters {
  readonly #waiters = new Set<Waiter>();
  readonly #isIdle: () => boolean;

  /** @param isIdle - whether the server is idle now */
  constructor(isIdle: () => boolean) {
    this.#isIdle = isIdle;
  }

  /**
   * A promise that resolves once the server is idle (at once, when it is), or rejects with the
   * reason of `options.signal`.
   */
  wait(options: IdleOptions = {}): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = readSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#isIdle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort:
          signal === undefined
            ? undefined
            : () => {
                this.#waiters.delete(waiter);
                reject(signal.reason);
              },
      };
      if (waiter.onAbort !== undefined) signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every waiter if the server is idle now. */
  check(): void {
    if (this.#waiters.size === 0 || !this.#isIdle()) return;
    for (const waiter of this.#waiters) {
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#waiters.clear();
  }
}
