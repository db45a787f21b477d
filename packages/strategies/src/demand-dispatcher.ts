// GenStage's DemandDispatcher: each batch goes to the consumer with the biggest demand, FIFO among ties.
import { assertCount, assertFunction, assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import type { Dispatcher, Send } from '@dispenser/core';
import { AlreadySubscribedError, NotSubscribedError } from './errors';

/** What {@link DemandDispatcherOptions.onWarning} receives when an ask exceeds the expected maximum. */
export interface DemandDispatcherWarning<C> {
  /** A sentence describing the problem. */
  message: string;
  /** The consumer that asked. */
  consumer: C;
  /** What it asked for. */
  demand: number;
  /** The expected maximum demand. */
  maxDemand: number;
}

/** Options of {@link DemandDispatcher}. */
export interface DemandDispatcherOptions<C> {
  /**
   * Shuffle the consumers once, on the first dispatch, so the consumer that subscribed first is
   * not always served first. Consumers are still served biggest demand first: the shuffle only
   * decides the order among equal demands.
   * @default false
   */
  shuffleDemandsOnFirstDispatch?: boolean;
  /**
   * The largest demand a consumer is expected to ask for at once; a bigger ask is reported to
   * `onWarning` (and still honoured). When not given, the first ask sets it.
   * @default the first demand asked
   */
  maxDemand?: number;
  /**
   * Called when an ask exceeds `maxDemand`. Mixing maximum demands lets the consumer that asks
   * most take most of the events.
   * @default nothing is reported
   */
  onWarning?: (warning: DemandDispatcherWarning<C>) => void;
  /**
   * Numbers in [0, 1) for the shuffle.
   * @default Math.random
   */
  random?: () => number;
}

interface Entry<C> {
  consumer: C;
  demand: number;
  /** When it was (re)inserted: ties in demand go to the smallest sequence first. */
  seq: number;
  /** Its slot in the heap. */
  index: number;
}

/** True when `a` is served before `b`: bigger demand first, then first (re)inserted. */
function before<C>(a: Entry<C>, b: Entry<C>): boolean {
  return a.demand > b.demand || (a.demand === b.demand && a.seq < b.seq);
}

/**
 * A dispatcher that sends each batch to the consumer with the biggest demand (GenStage's
 * default `DemandDispatcher`, exact 1.3.2 semantics apart from the shuffle fix below).
 *
 * Consumers are ordered by demand, biggest first; a consumer whose demand changes (it asks, or it
 * is sent events) goes after every consumer with the same demand, so ties are served FIFO.
 * `dispatch` repeatedly sends the first consumer `min(demand, remaining)` events in one call,
 * until the events run out or the first consumer has no demand; the rest are leftovers.
 *
 * Demand of a cancelled consumer was already requested upstream, so it becomes *pending*: later
 * asks return only what pending does not cover (`ask(c, 5)` with 10 pending returns 0), and
 * leftovers of a dispatch reduce pending (never below 0).
 *
 * **Gotchas:** GenStage's shuffle can leave a consumer without demand first, so a dispatch stops
 * while others still have demand; here the shuffled consumers are re-sorted by demand, so that
 * never happens. `dispatch([])` does nothing (and does not use up the shuffle).
 *
 * @example
 * ```ts
 * const dispatcher = new DemandDispatcher<string, string>((consumer, events) => console.log(consumer, events));
 * dispatcher.subscribe('A');
 * dispatcher.subscribe('B');
 * dispatcher.ask('A', 3);
 * dispatcher.ask('B', 2);
 * dispatcher.dispatch(['a', 'b', 'c', 'd', 'e']); // logs A [a, b, c] then B [d, e]; returns []
 * ```
 * @see BroadcastDispatcher
 * @see PartitionDispatcher
 */
export class DemandDispatcher<E, C> implements Dispatcher<E, C> {
  readonly #send: Send<E, C>;
  readonly #entries = new Map<C, Entry<C>>();
  /** A binary heap ordered by {@link before}; heap[0] is served next. */
  #heap: Entry<C>[] = [];
  #seq = 0;
  #total = 0;
  #pending = 0;
  #maxDemand: number | undefined;
  #shuffle: boolean;
  readonly #random: () => number;
  readonly #onWarning: ((warning: DemandDispatcherWarning<C>) => void) | undefined;

  /**
   * @param send - delivers a batch to a consumer
   * @param options - see {@link DemandDispatcherOptions}
   * @throws TypeError / RangeError for a `send` that is not a function or bad options
   */
  constructor(send: Send<E, C>, options: DemandDispatcherOptions<C> = {}) {
    assertFunction('send', send);
    assertObject('options', options);
    assertKnownKeys('options', options, ['shuffleDemandsOnFirstDispatch', 'maxDemand', 'onWarning', 'random']);
    const { shuffleDemandsOnFirstDispatch = false, maxDemand, onWarning, random = Math.random } = options;
    if (typeof shuffleDemandsOnFirstDispatch !== 'boolean') {
      throw new TypeError(
        `options.shuffleDemandsOnFirstDispatch must be a boolean, received ${describeValue(shuffleDemandsOnFirstDispatch)}`,
      );
    }
    if (maxDemand !== undefined) assertCount('options.maxDemand', maxDemand, 1);
    if (onWarning !== undefined) assertFunction('options.onWarning', onWarning);
    assertFunction('options.random', random);
    this.#send = send;
    this.#shuffle = shuffleDemandsOnFirstDispatch;
    this.#maxDemand = maxDemand;
    this.#onWarning = onWarning;
    this.#random = random;
  }

  /** Number of subscribed consumers. */
  get size(): number {
    return this.#entries.size;
  }

  /** Demand of cancelled consumers that was requested upstream and not yet covered. */
  get pending(): number {
    return this.#pending;
  }

  /** The expected maximum demand: the option, else the first demand asked, else `undefined`. */
  get maxDemand(): number | undefined {
    return this.#maxDemand;
  }

  /**
   * Subscribes `consumer` with no demand, after every other consumer. `options` are ignored.
   *
   * @returns 0
   * @throws {@link AlreadySubscribedError} (code `'ALREADY_SUBSCRIBED'`) when it is subscribed (nothing changes)
   */
  subscribe(consumer: C, options?: Record<string, unknown>): number {
    void options;
    if (this.#entries.has(consumer)) throw new AlreadySubscribedError(consumer);
    const entry: Entry<C> = { consumer, demand: 0, seq: ++this.#seq, index: this.#heap.length };
    this.#entries.set(consumer, entry);
    this.#heap.push(entry);
    this.#siftUp(entry.index);
    return 0;
  }

  /**
   * Unsubscribes `consumer`; its outstanding demand becomes pending. Unknown consumers are ignored.
   *
   * @returns 0
   */
  cancel(consumer: C): number {
    const entry = this.#entries.get(consumer);
    if (entry === undefined) return 0;
    this.#entries.delete(consumer);
    this.#remove(entry);
    this.#total -= entry.demand;
    this.#pending += entry.demand;
    return 0;
  }

  /**
   * Adds `demand` for `consumer`, which moves after every consumer with the same new demand.
   * Warns through `onWarning` when `demand` exceeds the expected maximum.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op
   * @returns the part of `demand` not covered by pending demand
   * @throws {@link NotSubscribedError} (code `'NOT_SUBSCRIBED'`) for an unknown consumer; TypeError /
   *   RangeError for a bad demand (nothing changes)
   */
  ask(consumer: C, demand: number): number {
    assertCount('demand', demand);
    const entry = this.#entries.get(consumer);
    if (entry === undefined) throw new NotSubscribedError(consumer);
    if (demand === 0) return 0;
    const max = (this.#maxDemand ??= demand);
    entry.demand += demand;
    entry.seq = ++this.#seq;
    this.#siftUp(entry.index);
    this.#total += demand;
    const covered = Math.min(this.#pending, demand);
    this.#pending -= covered;
    if (demand > max && this.#onWarning !== undefined) {
      this.#onWarning({
        message: `DemandDispatcher expects a maximum demand of ${max}, got ${demand}: consumers with different maximum demands are not served evenly`,
        consumer,
        demand,
        maxDemand: max,
      });
    }
    return demand - covered;
  }

  /**
   * Sends `events` to the consumers, biggest demand first, one batch per consumer.
   *
   * @returns the events no consumer had demand for, in order (a new array)
   */
  dispatch(events: E[]): E[] {
    const length = events.length;
    if (length === 0) return [];
    if (this.#shuffle) {
      this.#shuffle = false;
      this.#shuffleTies();
    }
    const heap = this.#heap;
    const batches: Array<[C, E[]]> = [];
    let offset = 0;
    while (offset < length && heap.length > 0) {
      const head = heap[0] as Entry<C>;
      if (head.demand === 0) break;
      const count = Math.min(head.demand, length - offset);
      batches.push([head.consumer, events.slice(offset, offset + count)]);
      offset += count;
      head.demand -= count;
      head.seq = ++this.#seq;
      this.#siftDown(0);
    }
    this.#total -= offset;
    this.#pending = Math.max(0, this.#pending - (length - offset));
    const leftovers = events.slice(offset);
    for (let i = 0; i < batches.length; i++) {
      const [consumer, batch] = batches[i] as [C, E[]];
      this.#send(consumer, batch);
    }
    return leftovers;
  }

  /** Total outstanding demand of the subscribed consumers. */
  demand(): number {
    return this.#total;
  }

  /** Whether `consumer` is subscribed. */
  has(consumer: C): boolean {
    return this.#entries.has(consumer);
  }

  /** Outstanding demand of `consumer`; 0 when it is not subscribed. */
  demandOf(consumer: C): number {
    return this.#entries.get(consumer)?.demand ?? 0;
  }

  /** The consumers and their demands in the order they would be served (a new array). */
  consumers(): Array<[C, number]> {
    return [...this.#heap].sort((a, b) => (before(a, b) ? -1 : 1)).map((e) => [e.consumer, e.demand]);
  }

  /** Random order among equal demands, biggest demand still first. */
  #shuffleTies(): void {
    const order = [...this.#heap];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      const picked = order[j] as Entry<C>;
      order[j] = order[i] as Entry<C>;
      order[i] = picked;
    }
    // Array.prototype.sort is stable: equal demands keep their shuffled order.
    order.sort((a, b) => b.demand - a.demand);
    for (let i = 0; i < order.length; i++) {
      const entry = order[i] as Entry<C>;
      entry.seq = ++this.#seq;
      entry.index = i;
    }
    // A sorted array is a valid heap.
    this.#heap = order;
  }

  #remove(entry: Entry<C>): void {
    const heap = this.#heap;
    const last = heap.pop() as Entry<C>;
    if (last === entry) return;
    heap[entry.index] = last;
    last.index = entry.index;
    this.#siftUp(last.index);
    this.#siftDown(last.index);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry<C>;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as Entry<C>;
      if (!before(entry, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const entry = heap[index] as Entry<C>;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(heap[right] as Entry<C>, heap[left] as Entry<C>)) child = right;
      const next = heap[child] as Entry<C>;
      if (!before(next, entry)) break;
      heap[index] = next;
      next.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
