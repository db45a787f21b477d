// Writers waiting for room in a server's buffer: FIFO, abortable, fed as room appears.
import { LimitedQueue } from '@dispenser/core';

/** Aborted writes tolerated in the queue before it considers compacting itself. */
const COMPACT_MIN_DEAD = 32;

interface PendingWrite<E> {
  readonly events: readonly E[];
  accepted: number;
  settled: boolean;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  readonly onAccepted: ((accepted: number) => void) | undefined;
}

/**
 * The queue of `write()` calls that wait for room. The oldest write gets room first; an aborted
 * write is settled at once and skipped when it reaches the head.
 */
export class PendingWrites<E> {
  readonly #queue = new LimitedQueue<PendingWrite<E>>(Number.MAX_SAFE_INTEGER);
  readonly #report: (error: unknown) => void;
  #live = 0;
  #dead = 0;

  /** @param report - where errors thrown by `onAccepted` callbacks go */
  constructor(report: (error: unknown) => void) {
    this.#report = report;
  }

  /** Whether some write still waits. */
  get waiting(): boolean {
    return this.#live > 0;
  }

  /**
   * Queues a write of `events` (copied); the promise settles once all are accepted, or rejects
   * with the signal's reason on abort.
   */
  add(
    events: readonly E[],
    signal: AbortSignal | undefined,
    onAccepted: ((accepted: number) => void) | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const write: PendingWrite<E> = {
        events: events.slice(),
        accepted: 0,
        settled: false,
        resolve,
        reject,
        signal,
        onAbort: signal === undefined ? undefined : () => this.#settle(write, true, signal.reason),
        onAccepted,
      };
      if (write.onAbort !== undefined) signal?.addEventListener('abort', write.onAbort, { once: true });
      this.#queue.push(write);
      this.#live++;
    });
  }

  /**
   * Gives up to `room` events from the oldest waiting writes to `accept`, in order, and
   * resolves the writes that are complete.
   *
   * @returns how many events were accepted
   */
  admit(room: number, accept: (events: readonly E[]) => void): number {
    let total = 0;
    while (room > 0) {
      const write = this.#queue.peek();
      if (write === undefined) break;
      if (write.settled) {
        this.#queue.pop();
        this.#dead--;
        continue;
      }
      const { events } = write;
      const take = Math.min(room, events.length - write.accepted);
      const chunk = take === events.length ? events : events.slice(write.accepted, write.accepted + take);
      write.accepted += take;
      room -= take;
      total += take;
      accept(chunk);
      if (write.accepted === events.length) {
        this.#queue.pop();
        this.#settle(write, false, undefined);
      }
      if (write.onAccepted !== undefined) {
        try {
          write.onAccepted(write.accepted);
        } catch (error) {
          this.#report(error);
        }
      }
    }
    return total;
  }

  /** Rejects every waiting write with `reason`; what they had accepted stays accepted. */
  rejectAll(reason: unknown): void {
    for (let write = this.#queue.pop(); write !== undefined; write = this.#queue.pop()) {
      if (!write.settled) this.#settle(write, true, reason);
    }
    this.#dead = 0;
  }

  #settle(write: PendingWrite<E>, rejected: boolean, reason: unknown): void {
    if (write.settled) return;
    write.settled = true;
    this.#live--;
    if (write.onAbort !== undefined) write.signal?.removeEventListener('abort', write.onAbort);
    if (rejected) {
      this.#dead++;
      // Aborted writes wait in the queue until they reach the head; drop them early when they pile up.
      if (this.#dead > COMPACT_MIN_DEAD && this.#dead > this.#live) {
        this.#queue.filter((entry) => !entry.settled);
        this.#dead = 0;
      }
      write.reject(reason);
    } else {
      write.resolve();
    }
  }
}
