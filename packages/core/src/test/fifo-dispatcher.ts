// Test helper (not exported): the smallest useful Dispatcher, for the DispatchingBuffer tests.
import type { Dispatcher, Send } from '../index';

/**
 * Serves consumers in subscription order, each up to its demand, at most `perDispatch` events a
 * `dispatch` call. It has no `demand()`/`has()`, so DispatchingBuffer keeps its own books;
 * subclasses add them, or knobs, as a test needs.
 */
export class FifoDispatcher<E, C> implements Dispatcher<E, C> {
  readonly demands = new Map<C, number>();
  perDispatch = Number.POSITIVE_INFINITY;

  constructor(readonly send: Send<E, C>) {}

  subscribe(consumer: C): number {
    this.demands.set(consumer, 0);
    return 0;
  }

  cancel(consumer: C): number {
    this.demands.delete(consumer);
    return 0;
  }

  ask(consumer: C, demand: number): number {
    this.demands.set(consumer, (this.demands.get(consumer) ?? 0) + demand);
    return demand;
  }

  dispatch(events: E[]): E[] {
    let offset = 0;
    const limit = Math.min(events.length, this.perDispatch);
    for (const [consumer, demand] of this.demands) {
      const count = Math.min(demand, limit - offset);
      if (count <= 0) continue;
      this.demands.set(consumer, demand - count);
      this.send(consumer, events.slice(offset, offset + count));
      offset += count;
    }
    return events.slice(offset);
  }
}
