// Demand per subscriber with an O(1) total and O(1) access by slot: a plain mutable structure.
import { amountAt, DemandTable, iterateTable, keyAt, tableToMap } from './internal/demand-table';
import { assertCount, describeValue } from './validate';

/**
 * Read-only view of subscriber demands: what assignment strategies receive.
 *
 * Only subscribers with demand > 0 are present. They sit in dense *slots* `0 ≤ index < size`
 * (read with {@link ReadonlyDemands.subscriberAt} and {@link ReadonlyDemands.amountAt}), so a
 * strategy can sample or walk them without allocating. Slot order is unspecified.
 *
 * Any object with these members works: a strategy must not rely on receiving a core
 * {@link Demands} (the buffer passes a view, and a second copy of `@dispenser/core` has its own
 * classes).
 */
export interface ReadonlyDemands<S> extends Iterable<[S, number]> {
  /** The demand of `subscriber`; 0 when it is unknown. */
  get(subscriber: S): number;
  /** Sum of all demands; O(1). */
  readonly total: number;
  /** Number of subscribers with demand > 0. */
  readonly size: number;
  /** The subscriber in slot `index`, for `0 ≤ index < size`; O(1). */
  subscriberAt(index: number): S;
  /** The demand of `subscriberAt(index)`, for `0 ≤ index < size`; O(1). */
  amountAt(index: number): number;
  /** A new map of every subscriber with demand > 0; O(size). */
  subscribers(): ReadonlyMap<S, number>;
}

/**
 * Tracks how many events each subscriber is waiting for, with a constant-time total.
 *
 * Subscribers are any `Map` keys (identity is `===`). Only subscribers with demand > 0 are kept:
 * subtracting down to 0 forgets the subscriber. Every operation but `clone` and `subscribers`
 * is O(1).
 *
 * **When to use:** to hold demand in a custom buffer, or to build the input of an
 * {@link AssignmentStrategy} in a test.
 *
 * **Gotchas:** slots move when a subscriber leaves (the last one takes its place), so do not
 * keep a slot index across changes. Iteration walks a snapshot taken when it starts.
 *
 * @example
 * ```ts
 * import { Demands } from '@dispenser/core';
 *
 * const demands = new Demands<string>().add('a', 3).add('b', 2);
 * demands.total;        // 5
 * demands.subtract('a', 3);
 * demands.get('a');     // 0 (forgotten)
 * demands.size;         // 1
 * ```
 */
export class Demands<S> implements ReadonlyDemands<S> {
  readonly #table = new DemandTable<S>();

  /**
   * @param entries - initial `[subscriber, demand]` pairs; repeated subscribers add up
   * @throws TypeError / RangeError when an amount is not a non-negative safe integer, or when
   *   the total would pass `Number.MAX_SAFE_INTEGER`
   */
  constructor(entries?: Iterable<readonly [S, number]>) {
    if (entries !== undefined) {
      for (const [subscriber, amount] of entries) this.add(subscriber, amount);
    }
  }

  /** Sum of all demands; O(1). */
  get total(): number {
    return this.#table.total;
  }

  /** Number of subscribers with demand > 0. */
  get size(): number {
    return this.#table.size;
  }

  /**
   * The demand of `subscriber`.
   *
   * @returns its demand, or 0 when unknown
   */
  get(subscriber: S): number {
    return this.#table.get(subscriber);
  }

  /** Whether `subscriber` has demand > 0. */
  has(subscriber: S): boolean {
    return this.#table.slots.has(subscriber);
  }

  /** The subscriber in slot `index`, for `0 ≤ index < size` (`undefined` outside). */
  subscriberAt(index: number): S {
    return keyAt(this.#table, index);
  }

  /** The demand of `subscriberAt(index)`, for `0 ≤ index < size` (`undefined` outside). */
  amountAt(index: number): number {
    return amountAt(this.#table, index);
  }

  /**
   * Adds demand for one subscriber.
   *
   * @param amount - a non-negative safe integer; 0 changes nothing
   * @throws TypeError / RangeError for a bad amount, or when the total would pass
   *   `Number.MAX_SAFE_INTEGER` (nothing changes)
   */
  add(subscriber: S, amount: number): this {
    assertCount('amount', amount);
    assertDemandFits('amount', this.#table.total, amount);
    if (amount > 0) this.#table.add(subscriber, amount);
    return this;
  }

  /**
   * Removes demand from one subscriber; reaching 0 (or below) forgets it.
   *
   * @param amount - a non-negative safe integer; 0 changes nothing
   * @throws TypeError / RangeError for a bad amount (nothing changes)
   */
  subtract(subscriber: S, amount: number): this {
    assertCount('amount', amount);
    if (amount > 0) this.#table.subtract(subscriber, amount);
    return this;
  }

  /** Forgets a subscriber and all its demand; unknown subscribers are ignored. */
  delete(subscriber: S): this {
    this.#table.delete(subscriber);
    return this;
  }

  /** Forgets every subscriber. */
  clear(): this {
    this.#table.clear();
    return this;
  }

  /** An independent copy; O(size). */
  clone(): Demands<S> {
    const copy = new Demands<S>();
    copy.#table.copyFrom(this.#table);
    return copy;
  }

  /** A new map of every subscriber with demand > 0; O(size). */
  subscribers(): Map<S, number> {
    return tableToMap(this.#table);
  }

  /** Yields `[subscriber, demand]` pairs of a snapshot taken when iteration starts. */
  [Symbol.iterator](): IterableIterator<[S, number]> {
    return iterateTable(this.#table);
  }
}

/**
 * Checks that adding `amount` keeps a total of `total` within `Number.MAX_SAFE_INTEGER`.
 *
 * @throws RangeError naming `name` when it would not (nothing changes)
 */
export function assertDemandFits(name: string, total: number, amount: number): void {
  if (total + amount > Number.MAX_SAFE_INTEGER) throw demandOverflow(name, amount, total);
}

/**
 * The `RangeError` for demand that would take the total past `Number.MAX_SAFE_INTEGER`, tagged
 * `code: 'DEMAND_OVERFLOW'` so a caller can rename the argument (a property, not a class, so it
 * works across copies of core).
 */
export function demandOverflow(name: string, amount: number, total?: number, cause?: unknown): RangeError {
  const error = new RangeError(
    `${name} ${describeValue(amount)} would take the total demand past Number.MAX_SAFE_INTEGER${total === undefined ? '' : ` (it is ${total})`}`,
    cause === undefined ? undefined : { cause },
  );
  return Object.assign(error, { code: 'DEMAND_OVERFLOW' as const });
}

/**
 * `error` again, but when it is a demand overflow (see {@link demandOverflow}) raised deeper down
 * under another argument name, a new one that names `name`, the argument the caller passed.
 */
export function renameDemandOverflow(error: unknown, name: string, amount: number): unknown {
  const tagged = error as { code?: unknown } | null;
  if (error instanceof RangeError && tagged?.code === 'DEMAND_OVERFLOW') return demandOverflow(name, amount, undefined, error);
  return error;
}
