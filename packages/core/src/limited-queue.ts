// A bounded FIFO queue on a growable ring that drops by a strategy when full, counting each drop.
import type { DropStrategy } from './drop-strategy';
import { assertCount, assertDropStrategy, assertFunction, assertIterable } from './validate';

const INITIAL_SLOTS = 16;

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
  /** Most values the queue holds. */
  readonly capacity: number;
  /** What happens to values that do not fit. */
  readonly dropStrategy: DropStrategy;
  #slots: (T | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;

  /**
   * @param capacity - most values held; a safe integer ≥ 1
   * @param dropStrategy - what to drop when full
   * @default dropStrategy 'drop-newest'
   * @throws TypeError / RangeError for a bad capacity or drop strategy
   */
  constructor(capacity: number, dropStrategy: DropStrategy = 'drop-newest') {
    assertCount('capacity', capacity, 1);
    assertDropStrategy('dropStrategy', dropStrategy);
    this.capacity = capacity;
    this.dropStrategy = dropStrategy;
    const slots = Math.min(INITIAL_SLOTS, ceilPowerOfTwo(capacity));
    this.#slots = new Array<T | undefined>(slots);
    this.#mask = slots - 1;
  }

  /** Number of values held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds one value at the back.
   *
   * @returns how many values were dropped: 0 or 1
   */
  push(value: T): number {
    if (this.#size < this.capacity) {
      this.#pushUnchecked(value);
      return 0;
    }
    if (this.dropStrategy === 'drop-newest') return 1;
    this.#dropFront(1);
    this.#pushUnchecked(value);
    return 1;
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
    const count = batch.length;
    const free = this.capacity - this.#size;
    if (this.dropStrategy === 'drop-newest') {
      if (free === 0) return count;
      const taken = Math.min(free, count);
      this.#copyIn(batch, 0, taken);
      return count - taken;
    }
    if (count >= this.capacity) {
      const dropped = this.#size + count - this.capacity;
      this.clear();
      this.#copyIn(batch, count - this.capacity, count);
      return dropped;
    }
    const evicted = Math.max(0, count - free);
    if (evicted > 0) this.#dropFront(evicted);
    this.#copyIn(batch, 0, count);
    return evicted;
  }

  /**
   * Adds values at the front, so that `values[0]` becomes the oldest: for putting back values
   * that were taken but could not be handled.
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
    const batch: readonly T[] = Array.isArray(values) ? values : Array.from(values);
    // Values kept are batch[start..end) followed by the queue; `dropped` counts the rest.
    let start = 0;
    let end = batch.length;
    let dropped = 0;
    const overflow = this.#size + batch.length - this.capacity;
    if (overflow > 0) {
      dropped = overflow;
      if (this.dropStrategy === 'drop-oldest') {
        start = Math.min(overflow, batch.length);
        if (overflow > start) this.#dropFront(overflow - start);
      } else {
        const fromQueue = Math.min(overflow, this.#size);
        this.#dropBack(fromQueue);
        end -= overflow - fromQueue;
      }
    }
    const count = end - start;
    this.#reserve(this.#size + count);
    const slots = this.#slots;
    for (let i = end - 1; i >= start; i--) {
      this.#head = (this.#head - 1) & this.#mask;
      slots[this.#head] = batch[i];
    }
    this.#size += count;
    return dropped;
  }

  /** Removes and returns the oldest value, or `undefined` when empty. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const slots = this.#slots;
    const value = slots[this.#head];
    slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return value;
  }

  /** The oldest value without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  /**
   * Removes and returns up to `amount` oldest values, oldest first; O(amount).
   *
   * @throws TypeError / RangeError when `amount` is not a non-negative safe integer
   */
  split(amount: number): T[] {
    assertCount('amount', amount);
    const count = Math.min(amount, this.#size);
    const out = new Array<T>(count);
    const slots = this.#slots;
    const mask = this.#mask;
    let head = this.#head;
    for (let i = 0; i < count; i++) {
      out[i] = slots[head] as T;
      slots[head] = undefined;
      head = (head + 1) & mask;
    }
    this.#head = head;
    this.#size -= count;
    return out;
  }

  /**
   * Keeps only the values for which `keep` returns true, in order.
   *
   * @returns how many values were removed
   * @throws TypeError when `keep` is not a function; if `keep` throws, the queue is unchanged
   */
  filter(keep: (value: T) => boolean): number {
    assertFunction('keep', keep);
    const kept: T[] = [];
    for (const value of this) if (keep(value)) kept.push(value);
    const removed = this.#size - kept.length;
    if (removed === 0) return 0;
    this.clear();
    this.#reserve(kept.length);
    for (const value of kept) this.#pushUnchecked(value);
    return removed;
  }

  /** A new array of the values, oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.#size);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) out[i] = slots[(this.#head + i) & mask] as T;
    return out;
  }

  /** Removes every value. */
  clear(): void {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) slots[(this.#head + i) & mask] = undefined;
    this.#head = 0;
    this.#size = 0;
  }

  /** Iterates the values oldest first, without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#slots[(this.#head + i) & this.#mask] as T;
  }

  #pushUnchecked(value: T): void {
    if (this.#size === this.#slots.length) this.#grow(this.#size + 1);
    this.#slots[(this.#head + this.#size) & this.#mask] = value;
    this.#size++;
  }

  /** Appends `batch[from..to)` at the back; the caller made sure they fit the capacity. */
  #copyIn(batch: readonly T[], from: number, to: number): void {
    this.#reserve(this.#size + (to - from));
    const slots = this.#slots;
    const mask = this.#mask;
    let tail = (this.#head + this.#size) & mask;
    for (let i = from; i < to; i++) {
      slots[tail] = batch[i];
      tail = (tail + 1) & mask;
    }
    this.#size += to - from;
  }

  #dropFront(count: number): void {
    const slots = this.#slots;
    for (let i = 0; i < count; i++) {
      slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
    }
    this.#size -= count;
  }

  #dropBack(count: number): void {
    const slots = this.#slots;
    for (let i = 0; i < count; i++) {
      this.#size--;
      slots[(this.#head + this.#size) & this.#mask] = undefined;
    }
  }

  #reserve(needed: number): void {
    if (needed > this.#slots.length) this.#grow(needed);
  }

  #grow(needed: number): void {
    const length = ceilPowerOfTwo(needed);
    const next = new Array<T | undefined>(length);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) next[i] = slots[(this.#head + i) & mask];
    this.#slots = next;
    this.#mask = length - 1;
    this.#head = 0;
  }
}

function ceilPowerOfTwo(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}
