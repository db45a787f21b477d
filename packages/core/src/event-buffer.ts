// The dispenser buffer: bounded events plus per-subscriber demand, assigned by a strategy.
import type { AssignmentStrategy } from './assignment-strategy';
import type { BufferStats, DemandBuffer } from './demand-buffer';
import { assertDemandFits, type ReadonlyDemands } from './demands';
import type { DropListener, DropStrategy } from './drop-strategy';
import { AssignmentCheck } from './internal/assignment-check';
import { DropReport } from './internal/drop-report';
import { DemandTable } from './internal/demand-table';
import { DemandsView } from './internal/demands-view';
import { Ring } from './internal/ring';
import { assertBatch, assertCount, assertDropStrategy, assertFunction, assertKnownKeys, assertObject, describeValue } from './validate';

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
 * @typeParam E - the events. The options do not name the types, so give them
 *   (`new EventBuffer<Job, Worker>(…)`) or let the context infer them (a typed variable, the
 *   `buffer` option of a typed server); without either both are `never`, and appending or
 *   asking is a compile error instead of a silent `EventBuffer<unknown, unknown>`.
 * @typeParam S - the subscribers (any value: a key, an object, a handle)
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
export class EventBuffer<E = never, S = never> implements DemandBuffer<E, S> {
  /** The strategy that splits events over demand. */
  readonly strategy: AssignmentStrategy;
  readonly #queue: Ring<E>;
  readonly #table = new DemandTable<S>();
  readonly #view: ReadonlyDemands<S> = new DemandsView(this.#table);
  readonly #check = new AssignmentCheck<S>();
  readonly #drops = new DropReport<E>();
  /** Scratch for one assignment, reused; subscribers are cleared after use so nothing stays alive. */
  readonly #subscribers: S[] = [];
  readonly #slots: number[] = [];
  readonly #counts: number[] = [];
  /** Slots whose demand an assignment took to 0, removed once the whole list is applied. */
  readonly #emptied: number[] = [];

  /**
   * @throws TypeError / RangeError for a missing strategy, bad capacity or drop strategy
   */
  constructor(options: EventBufferOptions) {
    assertObject('options', options);
    assertKnownKeys('options', options, ['strategy', 'capacity', 'dropStrategy']);
    const { strategy, capacity, dropStrategy = 'drop-newest' } = options;
    if (strategy === null || typeof strategy !== 'object') {
      throw new TypeError(`options.strategy must be an AssignmentStrategy, received ${describeValue(strategy)}`);
    }
    assertFunction('options.strategy.assign', strategy.assign);
    assertCount('options.capacity', capacity, 1);
    assertDropStrategy('options.dropStrategy', dropStrategy);
    this.#queue = new Ring<E>(capacity, dropStrategy);
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

  /**
   * Outstanding demand of all subscribers: a live read-only view (no copy; it reads the
   * buffer's current state every time). Copy it with `new Demands(buffer.demands)` to keep a
   * snapshot.
   */
  get demands(): ReadonlyDemands<S> {
    return this.#view;
  }

  /**
   * Adds events at the back of the buffer.
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not an array (nothing changes)
   */
  append(events: readonly E[]): number {
    assertBatch('events', events);
    return this.#appendRange(events, 0, events.length);
  }

  /**
   * Puts events back at the head, oldest first (for redelivering events a subscriber failed on).
   * When they do not all fit, the drop strategy decides as if they had never left.
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not an array (nothing changes)
   */
  prepend(events: readonly E[]): number {
    assertBatch('events', events);
    const sink = this.#drops.sink();
    const dropped = this.#queue.prepend(events, sink);
    this.#drops.report(sink, this.#queue.dropStrategy);
    return dropped;
  }

  /**
   * From now on, hands `listener` the events this buffer drops, oldest first, with the drop
   * strategy as the reason (an `EventBuffer` never discards). `undefined` stops it. The arrays
   * are built only while a listener is set.
   *
   * @throws TypeError when `listener` is neither a function nor `undefined`
   */
  watchDrops(listener: DropListener<E> | undefined): void {
    if (listener !== undefined) assertFunction('listener', listener);
    this.#drops.listener = listener;
  }

  /**
   * Adds demand for `subscriber`; met by later calls to {@link EventBuffer.assignEvents}.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op
   * @throws TypeError / RangeError for a bad demand, or when the total demand would pass
   *   `Number.MAX_SAFE_INTEGER` (nothing changes)
   */
  ask(subscriber: S, demand: number): void {
    assertCount('demand', demand);
    assertDemandFits('demand', this.#table.total, demand);
    if (demand > 0) this.#table.add(subscriber, demand);
  }

  /**
   * Takes the events that can be sent now and the demand they meet: asks the strategy, checks
   * its whole answer, then removes the events (FIFO slices, in the strategy's order) and
   * subtracts the demand they meet.
   *
   * @returns `[subscriber, events]` pairs in the strategy's order; `[]` (with nothing changed)
   *   when there are no events or no demand
   * @throws StrategyContractError when the strategy breaks its contract; whatever the strategy
   *   throws (in both cases nothing changes)
   */
  assignEvents(): Array<[S, E[]]> {
    const out: Array<[S, E[]]> = [];
    this.#assignInto(out);
    return out;
  }

  /**
   * `append(events)` then `assignEvents()` in one call, pushing the pairs into `into`. When
   * nothing was buffered, the events handed out are sliced straight from `events` instead of
   * passing through the buffer: the push servers' hot path.
   *
   * **Gotchas:** if the strategy throws or breaks its contract, the error propagates and the
   * buffer is as `append(events)` alone would have left it.
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not an array (nothing changes); StrategyContractError or
   *   what the strategy throws (the events are then buffered)
   */
  appendAndAssign(events: readonly E[], into: Array<[S, E[]]>): number {
    assertBatch('events', events);
    const queue = this.#queue;
    const length = events.length;
    if (queue.size > 0 || this.#table.total === 0 || length === 0) {
      const dropped = this.#appendRange(events, 0, length);
      this.#assignInto(into);
      return dropped;
    }
    // Nothing buffered: the events that would stay after dropping are events[from..to).
    let from = 0;
    let to = length;
    if (length > queue.capacity) {
      if (queue.dropStrategy === 'drop-newest') to = queue.capacity;
      else from = length - queue.capacity;
    }
    let entries: number;
    try {
      entries = this.#decide(to - from);
    } catch (error) {
      this.#appendRange(events, 0, length);
      throw error;
    }
    const subscribers = this.#subscribers;
    const counts = this.#counts;
    let at = from;
    for (let i = 0; i < entries; i++) {
      const count = counts[i] as number;
      into.push([subscribers[i] as S, events.slice(at, at + count)]);
      at += count;
    }
    this.#settle(entries);
    if (at < to) queue.append(events, at, to);
    if (length > to - from) {
      const sink = this.#drops.sink();
      if (sink !== undefined) {
        if (from > 0) for (let i = 0; i < from; i++) sink.push(events[i] as E);
        else for (let i = to; i < length; i++) sink.push(events[i] as E);
        this.#drops.report(sink, queue.dropStrategy);
      }
    }
    return length - (to - from);
  }

  /** Appends `events[from..to)` to the queue, reporting what it drops. */
  #appendRange(events: readonly E[], from: number, to: number): number {
    const sink = this.#drops.sink();
    const dropped = this.#queue.append(events, from, to, sink);
    this.#drops.report(sink, this.#queue.dropStrategy);
    return dropped;
  }

  /** Assigns buffered events, pushing `[subscriber, events]` pairs into `out`. */
  #assignInto(out: Array<[S, E[]]>): void {
    const available = this.#queue.size;
    if (available === 0 || this.#table.total === 0) return;
    const entries = this.#decide(available);
    const queue = this.#queue;
    const subscribers = this.#subscribers;
    const counts = this.#counts;
    for (let i = 0; i < entries; i++) out.push([subscribers[i] as S, queue.split(counts[i] as number)]);
    this.#settle(entries);
  }

  /** Subtracts the checked counts from the demands (by slot, no second lookup) and clears the scratch. */
  #settle(entries: number): void {
    const table = this.#table;
    const subscribers = this.#subscribers;
    const slots = this.#slots;
    const counts = this.#counts;
    const emptied = this.#emptied;
    let empty = 0;
    for (let i = 0; i < entries; i++) {
      subscribers[i] = undefined as S;
      const slot = slots[i] as number;
      if (table.takeAt(slot, counts[i] as number)) emptied[empty++] = slot;
    }
    table.removeEmpty(emptied, empty);
  }

  /** Asks the strategy about `available` events and checks its answer into the scratch arrays; returns its length. */
  #decide(available: number): number {
    const result = this.strategy.assign(this.#view, available);
    try {
      return this.#check.read(this.strategy, result, this.#table, available, this.#subscribers, this.#slots, this.#counts);
    } catch (error) {
      this.#subscribers.length = 0;
      throw error;
    }
  }

  /** Cancels the remaining demand of `subscriber`. */
  delete(subscriber: S): void {
    this.#table.delete(subscriber);
  }

  /** Buffered events and outstanding demand: exactly `{ buffered, demand }`. */
  stats(): BufferStats {
    return { buffered: this.#queue.size, demand: this.#table.total };
  }
}
