// The ring behind LimitedQueue, EventBuffer and DispatchingBuffer: bounded, drop strategy, no checks.
import type { DropStrategy } from '../drop-strategy';

const INITIAL_SLOTS = 16;

/**
 * A bounded FIFO on a power-of-two ring of slots that grows (doubling, up to the capacity)
 * instead of shifting an array. Removed slots are cleared, so it never keeps a removed value
 * alive. Unchecked: {@link LimitedQueue} validates arguments, and core's buffers call this
 * directly with values they already checked.
 */
export class Ring<T> {
  readonly capacity: number;
  readonly dropStrategy: DropStrategy;
  #slots: (T | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;

  /** `capacity` is a safe integer ≥ 1 and `dropStrategy` valid: the caller checked. */
  constructor(capacity: number, dropStrategy: DropStrategy) {
    this.capacity = capacity;
    this.dropStrategy = dropStrategy;
    const slots = Math.min(INITIAL_SLOTS, ceilPowerOfTwo(capacity));
    this.#slots = new Array<T | undefined>(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds one value at the back; returns how many were dropped (0 or 1). */
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
   * Adds `batch[from..to)` at the back, in order; returns how many values were dropped. With a
   * `sink`, the dropped values are pushed into it, oldest first.
   */
  append(batch: readonly T[], from: number, to: number, sink?: T[]): number {
    const count = to - from;
    const free = this.capacity - this.#size;
    if (this.dropStrategy === 'drop-newest') {
      const taken = Math.min(free, count);
      if (taken > 0) this.#copyIn(batch, from, from + taken);
      if (sink !== undefined) pushRange(sink, batch, from + taken, to);
      return count - taken;
    }
    if (count >= this.capacity) {
      const dropped = this.#size + count - this.capacity;
      if (sink !== undefined) {
        this.#dropFront(this.#size, sink);
        pushRange(sink, batch, from, to - this.capacity);
      } else {
        this.clear();
      }
      this.#copyIn(batch, to - this.capacity, to);
      return dropped;
    }
    const evicted = Math.max(0, count - free);
    if (evicted > 0) this.#dropFront(evicted, sink);
    this.#copyIn(batch, from, to);
    return evicted;
  }

  /**
   * Adds values at the front, so that `batch[0]` becomes the oldest. When they do not all fit,
   * the drop strategy decides as if the values had never left: `'drop-oldest'` drops from the
   * front of `batch` first, `'drop-newest'` drops the newest values of the ring first.
   */
  prepend(batch: readonly T[], sink?: T[]): number {
    // Values kept are batch[start..end) followed by the ring; `dropped` counts the rest.
    let start = 0;
    let end = batch.length;
    let dropped = 0;
    const overflow = this.#size + batch.length - this.capacity;
    if (overflow > 0) {
      dropped = overflow;
      if (this.dropStrategy === 'drop-oldest') {
        start = Math.min(overflow, batch.length);
        if (sink !== undefined) pushRange(sink, batch, 0, start);
        if (overflow > start) this.#dropFront(overflow - start, sink);
      } else {
        const fromRing = Math.min(overflow, this.#size);
        end -= overflow - fromRing;
        if (sink !== undefined) pushRange(sink, batch, end, batch.length);
        this.#dropBack(fromRing, sink);
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

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const slots = this.#slots;
    const value = slots[this.#head];
    slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return value;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  /** Removes and returns up to `amount` (≥ 0) oldest values, oldest first; O(amount). */
  split(amount: number): T[] {
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

  /** Keeps only the values for which `keep` returns true; if `keep` throws, nothing changes. */
  filter(keep: (value: T) => boolean): number {
    const kept: T[] = [];
    for (const value of this) if (keep(value)) kept.push(value);
    const removed = this.#size - kept.length;
    if (removed === 0) return 0;
    this.clear();
    this.#reserve(kept.length);
    for (const value of kept) this.#pushUnchecked(value);
    return removed;
  }

  toArray(): T[] {
    const out = new Array<T>(this.#size);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) out[i] = slots[(this.#head + i) & mask] as T;
    return out;
  }

  clear(): void {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) slots[(this.#head + i) & mask] = undefined;
    this.#head = 0;
    this.#size = 0;
  }

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

  #dropFront(count: number, sink?: T[]): void {
    const slots = this.#slots;
    for (let i = 0; i < count; i++) {
      if (sink !== undefined) sink.push(slots[this.#head] as T);
      slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
    }
    this.#size -= count;
  }

  /** Drops the `count` newest values; with a `sink`, pushes them into it oldest first. */
  #dropBack(count: number, sink?: T[]): void {
    const slots = this.#slots;
    const mask = this.#mask;
    const first = this.#size - count;
    if (sink !== undefined) for (let i = first; i < this.#size; i++) sink.push(slots[(this.#head + i) & mask] as T);
    for (let i = first; i < this.#size; i++) slots[(this.#head + i) & mask] = undefined;
    this.#size = first;
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

/** Pushes `source[from..to)` onto `sink`. */
function pushRange<T>(sink: T[], source: readonly T[], from: number, to: number): void {
  for (let i = from; i < to; i++) sink.push(source[i] as T);
}
