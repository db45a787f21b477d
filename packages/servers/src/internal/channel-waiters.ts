// Parked channel operations: a FIFO that forgets aborted entries lazily.
import { LimitedQueue } from '@dispenser/core';

/** A parked operation; `done` turns true once it was served, aborted or rejected by `close()`. */
export interface Waiter {
  done: boolean;
  /** Settles the waiting call with a failure. */
  reject(reason: unknown): void;
  /** The call's signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** The listener {@link WaiterQueue.park} put on `signal`, removed by {@link settle}. */
  onAbort: (() => void) | undefined;
}

/** Aborted entries tolerated before the queue considers compacting itself. */
const COMPACT_MIN_DEAD = 32;

/**
 * FIFO of waiters in arrival order. Served waiters leave from the head in O(1); an aborted waiter
 * is only marked, and the queue drops marked entries when they reach the head or when they
 * outnumber the live ones, so a stream of aborted waits cannot grow memory without bound.
 *
 * Invariant: the head, when there is one, is live.
 */
export class WaiterQueue<W extends Waiter> {
  readonly #queue = new LimitedQueue<W>(Number.MAX_SAFE_INTEGER);
  #dead = 0;

  /** Number of live waiters. */
  get size(): number {
    return this.#queue.size - this.#dead;
  }

  /**
   * Queues a waiting call; if its signal aborts before it is served, the call is forgotten and
   * rejects with the signal's reason.
   */
  park(waiter: W): void {
    const signal = waiter.signal;
    if (signal !== undefined) {
      waiter.onAbort = () => {
        if (waiter.done) return;
        waiter.done = true;
        this.forget();
        waiter.reject(signal.reason);
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    this.#queue.push(waiter);
  }

  /** Removes and returns the oldest live waiter, or `undefined`. The caller marks it `done`. */
  shift(): W | undefined {
    const waiter = this.#queue.pop();
    this.#trimHead();
    return waiter;
  }

  /** Forgets a waiter that was marked `done` while still queued (an abort). */
  forget(): void {
    this.#dead++;
    this.#trimHead();
    const queue = this.#queue;
    if (this.#dead >= COMPACT_MIN_DEAD && this.#dead * 2 > queue.size) {
      queue.filter(isLive);
      this.#dead = 0;
    }
  }

  /** Removes and returns every live waiter, oldest first. */
  drain(): W[] {
    const all = this.#queue.split(this.#queue.size);
    this.#dead = 0;
    return all.filter(isLive);
  }

  #trimHead(): void {
    const queue = this.#queue;
    while (this.#dead > 0 && queue.peek()?.done === true) {
      queue.pop();
      this.#dead--;
    }
  }
}

function isLive(waiter: Waiter): boolean {
  return !waiter.done;
}

/** Marks a parked call as served, so its signal can no longer abort it. */
export function settle(waiter: Waiter): void {
  waiter.done = true;
  if (waiter.signal !== undefined && waiter.onAbort !== undefined) {
    waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}
