// The dispenser buffer: bounded events plus per-subscriber demand, assigned by a strategy.
import type { AssignmentStrategy } from './assignment-strategy';
import type { DemandBuffer } from './demand-buffer';
import { Demands } from './demands';
import type { DropStrategy } from './drop-strategy';
import { StrategyContractError } from './errors';
import { LimitedQueue } from './limited-queue';
import { assertFunction, assertObject, describeValue } from './validate';

/** Options of {@link EventBuffer}. */
export interface EventBufferOptions {
  /** Decides how many events each subscriber gets, for example `even` or `greedy`. */
  strategy: AssignmentStrategy;
  /** Most events buffered; a safe integer ≥ 1. */
  capacity: number;
  /**
   * What happens to events that do not fit.
   * @default 'drop-newest'
   */
  dropStrategy?: DropStrategy;
}

/**
 * Buffers events and subscriber demand, and hands events out by a pluggable
 * {@link AssignmentStrategy}. Append events and add demand in any order, then call
 * {@link EventBuffer.assignEvents} to take what can be sent.
 *
 * Events leave in FIFO order, and each subscriber receives one contiguous run of the FIFO per
 * call. When more events arrive than there is demand, they wait (up to `capacity`); past that the
 * drop strategy decides, and `append` returns how many were dropped.
 *
 * **When to use:** as the state of your own server or worker pool. For push delivery to
 * subscribers with handlers, wrap it in `BufferServer` from `@dispenser/servers`.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { even } from '@dispenser/strategies';
 *
 * const buffer = new EventBuffer<string, string>({ strategy: even, capacity: 4 });
 * buffer.append(['a', 'b', 'c', 'd', 'e']); // 1 (dropped: 'e')
 * buffer.ask('one', 2);
 * buffer.ask('two', 2);
 * buffer.assignEvents(); // [['one', ['a', 'b']], ['two', ['c', 'd']]] (order of pairs may vary)
 * buffer.stats();        // { buffered: 0, demand: 0 }
 * ```
 */
export class EventBuffer<E, S> implements DemandBuffer<E, S> {
  /** The strategy that splits events over demand. */
  readonly strategy: AssignmentStrategy;
  #queue: LimitedQueue<E>;
  #demands = new Demands<S>();

  /**
   * @throws TypeError / RangeError for a missing strategy, bad capacity or drop strategy
   */
  constructor(options: EventBufferOptions) {
    assertObject('options', options);
    const { strategy, capacity, dropStrategy = 'drop-newest' } = options;
    if (strategy === null || typeof strategy !== 'object') {
      throw new TypeError(`options.strategy must be an AssignmentStrategy, received ${describeValue(strategy)}`);
    }
    assertFunction('options.strategy.assign', strategy.assign);
    this.#queue = new LimitedQueue<E>(capacity, dropStrategy);
    this.strategy = strategy;
  }

  /** Most events buffered. */
  get capacity(): number {
    return this.#queue.capacity;
  }

  /** What happens to events that do not fit. */
  get dropStrategy(): DropStrategy {
    return this.#queue.dropStrategy;
  }

  /** Number of buffered events. */
  get size(): number {
    return this.#queue.size;
  }

  /** Outstanding demand of all subscribers. */
  get demands(): Demands<S> {
    return this.#demands.clone();
  }

  /**
   * Adds events at the back of the buffer.
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not iterable (nothing changes)
   */
  append(events: readonly E[]): number {
    return this.#queue.append(events);
  }

  /**
   * Puts events back at the head, oldest first (for redelivering events a subscriber failed on).
   *
   * @returns how many events were dropped
   */
  prepend(events: readonly E[]): number {
    return this.#queue.prepend(events);
  }

  /**
   * Adds demand for `subscriber`; met by later calls to {@link EventBuffer.assignEvents}.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op
   * @throws TypeError / RangeError for a bad demand (nothing changes)
   */
  ask(subscriber: S, demand: number): void {
    this.#demands.add(subscriber, demand);
  }

  /**
   * Takes the events that can be sent now and the demand they meet.
   *
   * @returns `[subscriber, events]` pairs; `[]` (with nothing changed) when there are no events
   *   or no demand
   * @throws StrategyContractError when the strategy breaks its contract (nothing changes)
   */
  assignEvents(): Array<[S, E[]]> {
    const demands = this.#demands;
    const available = this.#queue.size;
    const total = demands.total;
    if (available === 0 || total === 0) return [];
    const { assigned, remaining } = this.strategy.assign(demands, available);
    if (
      !(assigned instanceof Demands) ||
      !(remaining instanceof Demands) ||
      assigned.total > available ||
      assigned.total + remaining.total !== total
    ) {
      throw new StrategyContractError(
        `strategy '${this.strategy.name}' broke its contract: it must return Demands whose assigned total is at most ${available} and adds up with remaining to the demand total ${total}`,
      );
    }
    this.#demands = remaining;
    const out: Array<[S, E[]]> = [];
    for (let i = 0, n = assigned.size; i < n; i++) {
      out.push([assigned.subscriberAt(i) as S, this.#queue.split(assigned.amountAt(i) as number)]);
    }
    return out;
  }

  /** Cancels the remaining demand of `subscriber`. */
  delete(subscriber: S): void {
    this.#demands.delete(subscriber);
  }

  /** Buffered events and outstanding demand: exactly `{ buffered, demand }`. */
  stats(): { buffered: number; demand: number } {
    return { buffered: this.#queue.size, demand: this.#demands.total };
  }
}
