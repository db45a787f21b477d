// What a stalled 'drop-newest' subscriber of a BroadcastServer holds on its own, so the shared ring can move on.
import { LimitedQueue } from '@dispenser/core';

/**
 * The events a subscriber holds apart from the shared ring, oldest first, with their sequence
 * numbers, bounded by its capacity: when full, newer events are refused (`'drop-newest'`).
 */
export class Backlog<E> {
  readonly #events: LimitedQueue<E>;
  readonly #sequences: LimitedQueue<number>;

  constructor(capacity: number) {
    this.#events = new LimitedQueue<E>(capacity);
    this.#sequences = new LimitedQueue<number>(capacity);
  }

  get size(): number {
    return this.#events.size;
  }

  /** Room left. */
  get room(): number {
    return this.#events.capacity - this.#events.size;
  }

  /** Adds `events`, numbered from `first`; the caller made sure they fit (`room`). */
  add(events: readonly E[], first: number): void {
    for (let i = 0; i < events.length; i++) {
      this.#events.push(events[i] as E);
      this.#sequences.push(first + i);
    }
  }

  /** Removes and returns the `count` oldest events. */
  take(count: number): E[] {
    this.#sequences.split(count);
    return this.#events.split(count);
  }

  /** The sequence numbers held, oldest first. */
  sequences(): IterableIterator<number> {
    return this.#sequences[Symbol.iterator]();
  }
}
