// GenStage's BroadcastDispatcher: every event to every consumer, paced by the smallest demand.
import { assertCount, assertFunction, assertKnownKeys, assertObject } from '@dispenser/core/internal';
import type { Dispatcher, Send } from '@dispenser/core';
import { AlreadySubscribedError, NotSubscribedError } from './errors';

/** Subscribe options of {@link BroadcastDispatcher}. */
export type BroadcastSubscribeOptions<E> = {
  /**
   * Which events this consumer wants; the others are not sent to it and the demand they would
   * have used is given back to it.
   * @default every event
   */
  selector?: (event: E) => boolean;
};

interface Entry<E> {
  /** Demand not yet turned into `waiting`; never negative. */
  counter: number;
  selector: ((event: E) => boolean) | undefined;
}

/**
 * A dispatcher that sends every event to every consumer (GenStage's `BroadcastDispatcher`, 1.3.2
 * semantics).
 *
 * An event is released only when every subscribed consumer has demand for it, so the slowest
 * consumer paces all of them and none receives more than it asked for. The dispatcher tracks
 * `waiting` (events every consumer can take now) and `requested` (demand already returned
 * upstream and not yet met), so a consumer that subscribes late does not make the same demand be
 * requested twice. A new consumer starts with no demand: the others keep theirs but nothing is
 * released until the newcomer asks. Cancelling the slowest consumer can release demand.
 *
 * With the subscribe option `selector`, a consumer receives only the events its selector accepts,
 * and the demand of the rejected ones is given back to it at once (as if it had asked again).
 * Since `dispatch` returns leftovers, not demand, any upstream demand this gives back is
 * returned by the next `ask` or `cancel` (GenStage sends it upstream itself).
 *
 * **Gotchas:** each consumer receives its own array. A consumer whose selector rejects a whole
 * batch gets no `send` call for it. Subscribing a consumer twice throws.
 *
 * @example
 * ```ts
 * const dispatcher = new BroadcastDispatcher<string, string>((consumer, events) => console.log(consumer, events));
 * dispatcher.subscribe('A');
 * dispatcher.subscribe('B');
 * dispatcher.ask('A', 3);         // 0: B has not asked yet
 * dispatcher.ask('B', 2);         // 2
 * dispatcher.dispatch(['a', 'b']); // logs A [a, b] and B [a, b]; returns []
 * ```
 * @see DemandDispatcher
 * @see PartitionDispatcher
 */
export class BroadcastDispatcher<E, C> implements Dispatcher<E, C> {
  /** Always `true`: every event goes to every consumer, so events put back would be sent twice. */
  readonly broadcasts = true;
  readonly #send: Send<E, C>;
  readonly #entries = new Map<C, Entry<E>>();
  #waiting = 0;
  #requested = 0;

  /**
   * @param send - delivers a batch to a consumer
   * @param options - none yet; reserved
   * @throws TypeError for a `send` that is not a function or `options` that are not an object
   */
  constructor(send: Send<E, C>, options: Record<string, never> = {}) {
    assertFunction('send', send);
    assertObject('options', options);
    assertKnownKeys('options', options, []);
    this.#send = send;
  }

  /** Number of subscribed consumers. */
  get size(): number {
    return this.#entries.size;
  }

  /** Events every subscribed consumer can take now. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Demand returned upstream (by `ask`/`cancel`) and not yet met by dispatched events. */
  get requested(): number {
    return this.#requested;
  }

  /**
   * Subscribes `consumer` with no demand; until it asks, nothing more is released to anyone.
   *
   * @returns 0
   * @throws TypeError when `options.selector` is neither a function nor undefined;
   *   {@link AlreadySubscribedError} (code `'ALREADY_SUBSCRIBED'`) when it is subscribed (nothing changes)
   */
  subscribe(consumer: C, options?: BroadcastSubscribeOptions<E>): number {
    let selector: ((event: E) => boolean) | undefined;
    if (options !== undefined) {
      assertObject('options', options);
      assertKnownKeys('options', options, ['selector']);
      selector = options.selector;
      if (selector !== undefined) assertFunction('options.selector', selector);
    }
    if (this.#entries.has(consumer)) throw new AlreadySubscribedError(consumer);
    // What every consumer could take becomes each one's own demand again.
    const waiting = this.#waiting;
    if (waiting > 0) for (const entry of this.#entries.values()) entry.counter += waiting;
    this.#waiting = 0;
    this.#entries.set(consumer, { counter: 0, selector });
    return 0;
  }

  /**
   * Unsubscribes `consumer`; unknown consumers are ignored.
   *
   * @returns the demand released (and to request upstream) now that it no longer holds the
   *   others back
   */
  cancel(consumer: C): number {
    if (!this.#entries.delete(consumer)) return 0;
    if (this.#entries.size === 0) {
      this.#waiting = 0;
      return 0;
    }
    return this.#sync();
  }

  /**
   * Adds `demand` for `consumer`.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op
   * @returns the demand to request upstream: the growth of the smallest demand, less what was
   *   already requested
   * @throws {@link NotSubscribedError} (code `'NOT_SUBSCRIBED'`) for an unknown consumer; TypeError /
   *   RangeError for a bad demand (nothing changes)
   */
  ask(consumer: C, demand: number): number {
    assertCount('demand', demand);
    const entry = this.#entries.get(consumer);
    if (entry === undefined) throw new NotSubscribedError(consumer);
    if (demand === 0) return 0;
    entry.counter += demand;
    return this.#sync();
  }

  /**
   * Sends the first `min(events.length, waiting)` events to every consumer (filtered by its
   * selector).
   *
   * @returns the events not sent, in order (a new array)
   * @throws whatever a selector throws (nothing changes and nothing is sent)
   */
  dispatch(events: E[]): E[] {
    const length = events.length;
    if (length === 0) return [];
    const count = Math.min(length, this.#waiting);
    if (count === 0) return events.slice();
    const batches: Array<[C, E[]]> = [];
    let givenBack: Array<[Entry<E>, number]> | undefined;
    for (const [consumer, entry] of this.#entries) {
      const selector = entry.selector;
      if (selector === undefined) {
        batches.push([consumer, events.slice(0, count)]);
        continue;
      }
      const selected: E[] = [];
      for (let i = 0; i < count; i++) {
        const event = events[i] as E;
        if (selector(event)) selected.push(event);
      }
      if (selected.length > 0) batches.push([consumer, selected]);
      if (selected.length < count) (givenBack ??= []).push([entry, count - selected.length]);
    }
    this.#waiting -= count;
    // Events the caller had buffered may arrive without having been requested: never below 0.
    this.#requested = Math.max(0, this.#requested - count);
    if (givenBack !== undefined) {
      for (const [entry, amount] of givenBack) entry.counter += amount;
      // Not requested yet: the next ask or cancel returns it (dispatch cannot).
      this.#sync(false);
    }
    for (let i = 0; i < batches.length; i++) {
      const [consumer, batch] = batches[i] as [C, E[]];
      this.#send(consumer, batch);
    }
    return events.slice(count);
  }

  /** Total outstanding demand: the sum over the consumers of {@link BroadcastDispatcher.demandOf}. */
  demand(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.counter;
    return total + this.#waiting * this.#entries.size;
  }

  /** Whether `consumer` is subscribed. */
  has(consumer: C): boolean {
    return this.#entries.has(consumer);
  }

  /** Outstanding demand of `consumer`: what it asked for and was not yet sent; 0 when unknown. */
  demandOf(consumer: C): number {
    const entry = this.#entries.get(consumer);
    return entry === undefined ? 0 : entry.counter + this.#waiting;
  }

  /**
   * Moves the smallest demand into `waiting`; returns (and, with `request`, records as
   * requested) what is not yet requested upstream.
   */
  #sync(request = true): number {
    let min = Infinity;
    for (const entry of this.#entries.values()) if (entry.counter < min) min = entry.counter;
    if (min === Infinity || min <= 0) min = 0;
    if (min > 0) for (const entry of this.#entries.values()) entry.counter -= min;
    this.#waiting += min;
    if (!request) return 0;
    const owed = Math.max(0, this.#waiting - this.#requested);
    this.#requested += owed;
    return owed;
  }
}
