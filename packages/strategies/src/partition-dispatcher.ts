// GenStage's PartitionDispatcher: events hashed to fixed partitions, one consumer per partition.
import { assertCount, assertFunction, assertKnownKeys, describeValue, fnv1a } from '@dispenser/core/internal';
import type { Dispatcher, Send } from '@dispenser/core';
import { AlreadySubscribedError, NotSubscribedError, PartitionTakenError } from './errors';
import { describeName } from './internal/consumers';

/**
 * Picks the partition of an event: `[eventToDeliver, partition]`, or `null` to discard the event
 * (it uses no demand).
 */
export type PartitionHash<E, P> = (event: E) => readonly [E, P] | null;

/** Options of {@link PartitionDispatcher}. */
export interface PartitionDispatcherOptions<E, P> {
  /**
   * The partitions: a count `n` names them `0` to `n - 1`; an array lists their names (and then
   * `hash` is required, unless the names are exactly the integers `0` to `n - 1`).
   */
  partitions: number | readonly P[];
  /**
   * Picks each event's partition, and may replace the event (the returned event is the one
   * delivered). Return `null` to discard an event.
   * @default FNV-1a (32-bit) of the UTF-8 bytes of `String(event)`, modulo the number of
   *   partitions; only for strings, numbers and bigints (other events throw a TypeError)
   */
  hash?: PartitionHash<E, P>;
  /**
   * Called with the events `hash` discarded (returned `null` for), oldest first, once per
   * `dispatch` that discarded some, after the dispatcher's state is updated. Under a
   * `DispatchingBuffer`, pass the `discard` its factory receives, so they are counted:
   * `(send, discard) => new PartitionDispatcher(send, { partitions: 4, onDiscard: discard })`.
   * @default none (discarded events are dropped silently)
   */
  onDiscard?: (events: E[]) => void;
}

/** Subscribe options of {@link PartitionDispatcher}. */
export type PartitionSubscribeOptions<P> = {
  /** The partition to consume; required, and each partition takes one consumer at a time. */
  partition: P;
};

interface Partition<E, C, P> {
  name: P;
  /** Whether a consumer is subscribed (`consumer` may legitimately be `undefined`). */
  taken: boolean;
  consumer: C | undefined;
  /** Outstanding demand of the consumer; > 0 only when the queue is empty. */
  demand: number;
  /** Events held for this partition, oldest at `head`. */
  queue: E[];
  head: number;
  /** How many of the oldest queued events no longer count against `waiting` (see cancel). */
  unbacked: number;
  /** Scratch space of dispatch: the events of the current batch for this partition. */
  incoming: E[];
}

/**
 * A dispatcher that routes every event to one partition, each partition served by at most one
 * consumer (GenStage's `PartitionDispatcher`, 1.3.2 semantics).
 *
 * `hash(event)` picks the partition (and may transform the event; `null` discards it). A partition
 * sends up to its consumer's demand and queues the rest, also when it has no consumer yet; an
 * `ask` on a partition with a queue is served from the queue first, at once. The dispatcher takes
 * events only while the consumers' total demand (`waiting`) lasts; the events after that are
 * leftovers. So a partition that gets more than its share holds back the others, as in GenStage.
 *
 * **Cancelling** a consumer with demand makes that demand *pending* (later asks return only
 * what it does not cover). Cancelling a consumer whose partition has queued events returns the
 * queued count as demand to request upstream and frees it for the other partitions; unlike
 * GenStage, which discards those events, they **stay queued for the next consumer of that
 * partition**.
 *
 * **Gotchas:** the default hash only handles strings, numbers and bigints; pass `hash` for other
 * events. A `hash` that names an unknown partition throws, before anything changes.
 *
 * @example
 * ```ts
 * const dispatcher = new PartitionDispatcher<number, string, string>(
 *   (consumer, events) => console.log(consumer, events),
 *   { partitions: ['odd', 'even'], hash: (n) => [n, n % 2 === 1 ? 'odd' : 'even'] },
 * );
 * dispatcher.subscribe('c', { partition: 'odd' });
 * dispatcher.ask('c', 3);
 * dispatcher.dispatch([1]);                         // logs c [1]; returns []
 * dispatcher.ask('c', 3);
 * dispatcher.dispatch([5, 7, 9, 11, 13, 15, 17]);   // logs c [5, 7, 9, 11, 13]; returns [15, 17]
 * ```
 * @see DemandDispatcher
 * @see BroadcastDispatcher
 */
export class PartitionDispatcher<E, C, P = number> implements Dispatcher<E, C> {
  readonly #send: Send<E, C>;
  readonly #hash: PartitionHash<E, P>;
  readonly #onDiscard: ((events: E[]) => void) | undefined;
  readonly #partitions = new Map<P, Partition<E, C, P>>();
  readonly #names: readonly P[];
  readonly #byConsumer = new Map<C, Partition<E, C, P>>();
  #waiting = 0;
  #pending = 0;
  #demand = 0;
  #queued = 0;

  /**
   * @param send - delivers a batch to a consumer
   * @param options - see {@link PartitionDispatcherOptions}
   * @throws TypeError / RangeError for a `send` that is not a function, a bad partition count,
   *   an empty or duplicated list of names, named partitions without `hash`, or a `hash` that is
   *   not a function
   */
  constructor(send: Send<E, C>, options: PartitionDispatcherOptions<E, P>) {
    assertFunction('send', send);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object with partitions, received ${describeValue(options)}`);
    }
    assertKnownKeys('options', options, ['partitions', 'hash', 'onDiscard']);
    const { partitions, hash, onDiscard } = options;
    if (hash !== undefined) assertFunction('options.hash', hash);
    if (onDiscard !== undefined) assertFunction('options.onDiscard', onDiscard);
    this.#onDiscard = onDiscard;
    let names: P[];
    if (typeof partitions === 'number') {
      assertCount('options.partitions', partitions, 1);
      names = Array.from({ length: partitions }, (_, i) => i as P);
    } else if (Array.isArray(partitions)) {
      names = [...(partitions as readonly P[])];
      if (names.length === 0) throw new RangeError('options.partitions must name at least one partition');
      if (new Set(names).size !== names.length) {
        throw new RangeError(`options.partitions must not repeat a name, received [${names.map(describeName).join(', ')}]`);
      }
      if (hash === undefined && !isRange(names)) {
        throw new TypeError(
          'options.hash is required when options.partitions names partitions other than the integers 0 to n - 1',
        );
      }
    } else {
      throw new TypeError(
        `options.partitions must be a count or an array of partition names, received ${describeValue(partitions)}`,
      );
    }
    this.#send = send;
    this.#names = names;
    for (const name of names) {
      this.#partitions.set(name, {
        name,
        taken: false,
        consumer: undefined,
        demand: 0,
        queue: [],
        head: 0,
        unbacked: 0,
        incoming: [],
      });
    }
    const count = names.length;
    this.#hash = hash ?? ((event: E) => [event, (hashOf(event) % count) as P]);
  }

  /** The partition names, in order (a new array). */
  get partitions(): P[] {
    return [...this.#names];
  }

  /** Number of subscribed consumers. */
  get size(): number {
    return this.#byConsumer.size;
  }

  /** Events the dispatcher will still take before its consumers' demand is used up. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Demand of cancelled consumers that was requested upstream and not yet covered. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Subscribes `consumer` to `options.partition`, with no demand (events already queued there
   * wait for its first ask).
   *
   * @returns 0
   * @throws TypeError when `options.partition` is missing; RangeError when it names no
   *   partition (the message lists the valid ones); {@link PartitionTakenError} (code
   *   `'PARTITION_TAKEN'`) when another consumer has it, or {@link AlreadySubscribedError} (code
   *   `'ALREADY_SUBSCRIBED'`) when this consumer is subscribed (in all cases nothing changes)
   */
  subscribe(consumer: C, options?: PartitionSubscribeOptions<P>): number {
    if (options === null || typeof options !== 'object' || !('partition' in options) || options.partition === undefined) {
      throw new TypeError(`options.partition is required; valid partitions: ${this.#validList()}`);
    }
    const partition = this.#partitions.get(options.partition);
    if (partition === undefined) {
      throw new RangeError(
        `options.partition must be one of ${this.#validList()}, received ${describeName(options.partition)}`,
      );
    }
    if (this.#byConsumer.has(consumer)) throw new AlreadySubscribedError(consumer);
    if (partition.taken) {
      throw new PartitionTakenError(partition.name, partition.consumer);
    }
    partition.taken = true;
    partition.consumer = consumer;
    this.#byConsumer.set(consumer, partition);
    return 0;
  }

  /**
   * Unsubscribes `consumer`; unknown consumers are ignored. Its demand becomes pending; events
   * queued in its partition stay there for the next consumer.
   *
   * @returns the number of queued events that stop holding back the other partitions (demand to
   *   request upstream); 0 when the partition had demand instead of a queue
   */
  cancel(consumer: C): number {
    const partition = this.#byConsumer.get(consumer);
    if (partition === undefined) return 0;
    this.#byConsumer.delete(consumer);
    partition.taken = false;
    partition.consumer = undefined;
    if (partition.demand > 0) {
      this.#pending += partition.demand;
      this.#demand -= partition.demand;
      partition.demand = 0;
      return 0;
    }
    const queued = partition.queue.length - partition.head;
    const freed = queued - partition.unbacked;
    partition.unbacked = queued;
    this.#waiting += freed;
    return freed;
  }

  /**
   * Adds `demand` for `consumer`: sends from its partition's queue first, and the rest becomes
   * demand.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op
   * @returns the demand to request upstream: `demand` less what pending demand covers (and less
   *   queued events kept from a cancelled consumer)
   * @throws {@link NotSubscribedError} (code `'NOT_SUBSCRIBED'`) for an unknown consumer; TypeError /
   *   RangeError for a bad demand (nothing changes)
   */
  ask(consumer: C, demand: number): number {
    assertCount('demand', demand);
    const partition = this.#byConsumer.get(consumer);
    if (partition === undefined) throw new NotSubscribedError(consumer);
    if (demand === 0) return 0;
    const queue = partition.queue;
    const served = Math.min(demand, queue.length - partition.head);
    let batch: E[] | undefined;
    let servedUnbacked = 0;
    if (served > 0) {
      batch = queue.slice(partition.head, partition.head + served);
      this.#shift(partition, served);
      servedUnbacked = Math.min(served, partition.unbacked);
      partition.unbacked -= servedUnbacked;
    }
    partition.demand += demand - served;
    this.#demand += demand - served;
    const grant = demand - servedUnbacked;
    const covered = Math.min(this.#pending, grant);
    this.#pending -= covered;
    const request = grant - covered;
    this.#waiting += request;
    if (batch !== undefined) this.#send(consumer, batch);
    return request;
  }

  /**
   * Hashes events while there is demand, sends each partition up to its consumer's demand and
   * queues the rest.
   *
   * @returns the events not taken (those after the demand ran out), in order (a new array)
   * @throws TypeError when `hash` returns something other than `[event, partition]` or `null`,
   *   or the default hash meets an event it cannot hash; RangeError when it names an unknown
   *   partition (in all cases nothing changes and nothing is sent)
   */
  dispatch(events: E[]): E[] {
    const length = events.length;
    if (length === 0) return [];
    let budget = this.#waiting;
    if (budget === 0) return events.slice();
    const touched: Array<Partition<E, C, P>> = [];
    const hash = this.#hash;
    let index = 0;
    let discarded: E[] | undefined;
    try {
      for (; index < length && budget > 0; index++) {
        const result = hash(events[index] as E);
        if (result === null) {
          if (this.#onDiscard !== undefined) (discarded ??= []).push(events[index] as E);
          continue;
        }
        if (!Array.isArray(result) || result.length !== 2) {
          throw new TypeError(`options.hash must return [event, partition] or null, received ${describeValue(result)}`);
        }
        const partition = this.#partitions.get(result[1] as P);
        if (partition === undefined) {
          throw new RangeError(
            `options.hash returned the unknown partition ${describeName(result[1])}; valid partitions: ${this.#validList()}`,
          );
        }
        if (partition.incoming.length === 0) touched.push(partition);
        partition.incoming.push(result[0] as E);
        budget--;
      }
    } catch (error) {
      for (const partition of touched) partition.incoming = [];
      throw error;
    }
    this.#waiting = budget;
    const batches: Array<[C, E[]]> = [];
    for (let t = 0; t < touched.length; t++) {
      const partition = touched[t] as Partition<E, C, P>;
      const incoming = partition.incoming;
      partition.incoming = [];
      const sent = Math.min(partition.demand, incoming.length);
      if (sent > 0) {
        partition.demand -= sent;
        this.#demand -= sent;
        batches.push([partition.consumer as C, sent === incoming.length ? incoming : incoming.slice(0, sent)]);
      }
      for (let i = sent; i < incoming.length; i++) partition.queue.push(incoming[i] as E);
      this.#queued += incoming.length - sent;
    }
    for (let i = 0; i < batches.length; i++) {
      const [consumer, batch] = batches[i] as [C, E[]];
      this.#send(consumer, batch);
    }
    if (discarded !== undefined) (this.#onDiscard as (events: E[]) => void)(discarded);
    return events.slice(index);
  }

  /** Total outstanding demand of the subscribed consumers. */
  demand(): number {
    return this.#demand;
  }

  /** Events held in the partition queues. */
  buffered(): number {
    return this.#queued;
  }

  /** Whether `consumer` is subscribed. */
  has(consumer: C): boolean {
    return this.#byConsumer.has(consumer);
  }

  /** Outstanding demand of `consumer`; 0 when it is not subscribed. */
  demandOf(consumer: C): number {
    return this.#byConsumer.get(consumer)?.demand ?? 0;
  }

  /** The partition `consumer` is subscribed to, or `undefined`. */
  partitionOf(consumer: C): P | undefined {
    return this.#byConsumer.get(consumer)?.name;
  }

  /**
   * The events queued in `partition`, oldest first (a new array).
   *
   * @throws RangeError for an unknown partition
   */
  queued(partition: P): E[] {
    const state = this.#partitions.get(partition);
    if (state === undefined) {
      throw new RangeError(`partition must be one of ${this.#validList()}, received ${describeName(partition)}`);
    }
    return state.queue.slice(state.head);
  }

  /** Drops `count` events from the head of a partition's queue, compacting now and then. */
  #shift(partition: Partition<E, C, P>, count: number): void {
    partition.head += count;
    this.#queued -= count;
    const queue = partition.queue;
    if (partition.head === queue.length) {
      partition.queue = [];
      partition.head = 0;
    } else if (partition.head >= 1024 && partition.head * 2 >= queue.length) {
      partition.queue = queue.slice(partition.head);
      partition.head = 0;
    }
  }

  #validList(): string {
    return this.#names.map(describeName).join(', ');
  }
}

/** Whether `names` are exactly the integers 0 to length - 1, in any order. */
function isRange(names: readonly unknown[]): boolean {
  const seen = new Set<unknown>(names);
  for (let i = 0; i < names.length; i++) if (!seen.has(i)) return false;
  return true;
}

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `String(value)` for strings, numbers and bigints.
 *
 * @throws TypeError for any other value
 */
/** The default partition hash's key: FNV-1a of `String(value)`, for strings, numbers and bigints only. */
function hashOf(value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TypeError(
      `the default partition hash handles strings, numbers and bigints, received ${describeValue(value)}: pass options.hash`,
    );
  }
  return fnv1a(String(value));
}
