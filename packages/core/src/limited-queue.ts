// A bounded FIFO queue on a growable ring that drops by a strategy when full, counting each drop.
import type { DropStrategy } from './drop-strategy';
import { Ring } from './internal/ring';
import { assertCount, assertDropStrategy, assertFunction, assertIterable } from './validate';

/**
 * A bounded FIFO queue. When full it drops values by its {@link DropStrategy} and every call
 * returns how many values it dropped.
 *
 * Push, pop and `split(n)` are O(1), O(1) and O(n): values live in a ring of slots that grows
 * (doubling, up to the capacity) instead of shifting an array. Removed slots are cleared, so the
 * queue never keeps a removed value alive.
 *
 * **When to use:** as the event store of a buffer that must bound memory under overload.
 *
 * **Gotchas:** with `'drop-newest'` a full queue rejects a whole batch in O(1) without looking
 * at it; with `'drop-oldest'` a batch larger than the capacity keeps only its last `capacity`
 * values.
 *
 * @example
 * ```ts
 * const queue = new LimitedQueue<string>(3, 'drop-oldest');
 * queue.append(['a', 'b', 'c', 'd']); // 1 dropped ('a')
 * queue.split(2);                     // ['b', 'c']
 * queue.toArray();                    // ['d']
 * ```
 */
export class LimitedQueue<T> implements Iterable<T> {
  readonly #ring: Ring<T>;

  /**
   * @param capacity - most values held; a safe integer ≥ 1
   * @param dropStrategy - what to drop when full
   * @default dropStrategy 'drop-newest'
   * @throws TypeError / RangeError for a bad capacity or drop strategy
   */
  constructor(capacity: number, dropStrategy: DropStrategy = 'drop-newest') {
    assertCount('capacity', capacity, 1);
    assertDropStrategy('dropStrategy', dropStrategy);
    this.#ring = new Ring<T>(capacity, dropStrategy);
  }

  /** Most values the queue holds. */
  get capacity(): number {
    return this.#ring.capacity;
  }

  /** What happens to values that do not fit. */
  get dropStrategy(): DropStrategy {
    return this.#ring.dropStrategy;
  }

  /** Number of values held. */
  get size(): number {
    return this.#ring.size;
  }

  /**
   * Adds one value at the back.
   *
   * @returns how many values were dropped: 0 or 1
   */
  push(value: T): number {
    return this.#ring.push(value);
  }

  /**
   * Adds values at the back, in order.
   *
   * @returns how many values were dropped (rejected ones with `'drop-newest'`, evicted ones
   *   with `'drop-oldest'`)
   * @throws TypeError when `values` is not iterable (nothing changes)
   */
  append(values: Iterable<T>): number {
    assertIterable('values', values);
    const batch: readonly T[] = Array.isArray(values) ? values : Array.from(values);
    return this.#ring.append(batch, 0, batch.length);
  }

  /**
   * Adds values at the front, so that the first of `values` becomes the oldest: for putting
   * back values that were taken but could not be handled.
   *
   * When they do not all fit, the drop strategy decides as if the values had never left:
   * `'drop-oldest'` drops from the front of `values` first, `'drop-newest'` drops the newest
   * values of the queue (the back) first.
   *
   * @returns how many values were dropped
   * @throws TypeError when `values` is not iterable (nothing changes)
   */
  prepend(values: Iterable<T>): number {
    assertIterable('values', values);
    return this.#ring.prepend(Array.isArray(values) ? values : Array.from(values));
  }

  /** Removes and returns the oldest value, or `undefined` when empty. */
  pop(): T | undefined {
    return this.#ring.pop();
  }

  /** The oldest value without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#ring.peek();
  }

  /**
   * Removes and returns up to `amount` oldest values, oldest first; O(amount).
   *
   * @throws TypeError / RangeError when `amount` is not a non-negative safe integer
   */
  split(amount: number): T[] {
    assertCount('amount', amount);
    return this.#ring.split(amount);
  }

  /**
   * Keeps only the values for which `keep` returns true, in order.
   *
   * @returns how many values were removed
   * @throws TypeError when `keep` is not a function; if `keep` throws, the queue is unchanged
   */
  filter(keep: (value: T) => boolean): number {
    assertFunction('keep', keep);
    return this.#ring.filter(keep);
  }

  /** A new array of the values, oldest first. */
  toArray(): T[] {
    return this.#ring.toArray();
  }

  /** Removes every value. */
  clear(): void {
    this.#ring.clear();
  }

  /** Iterates the values oldest first, without removing them. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.#ring[Symbol.iterator]();
  }
}
