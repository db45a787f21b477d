// A fixed-size FIFO that fails fast instead of dropping (Ensign's ring buffer).
import { BufferEmptyError, BufferFullError } from './errors';
import { assertCount } from './validate';

/**
 * A fixed-size FIFO that throws instead of dropping: `write` on a full ring throws
 * {@link BufferFullError}, `read` on an empty one throws {@link BufferEmptyError}, and neither
 * changes the ring when it throws.
 *
 * **When to use:** when losing a value is a bug and the caller must decide what to do when the
 * ring is full. For a queue that drops and counts, use {@link LimitedQueue}; to wait for room,
 * use `Channel` from `@dispenser/servers`.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<string>(2);
 * ring.write('a');
 * ring.write('b');
 * ring.read(); // 'a'
 * ```
 */
export class RingBuffer<T> implements Iterable<T> {
  /** Most values held; exactly as given. */
  readonly capacity: number;
  #slots: (T | undefined)[];
  #head = 0;
  #size = 0;

  /**
   * @param capacity - a safe integer ≥ 1
   * @throws TypeError / RangeError for a bad capacity
   */
  constructor(capacity: number) {
    assertCount('capacity', capacity, 1);
    this.capacity = capacity;
    this.#slots = new Array<T | undefined>(capacity);
  }

  /** Number of values held. */
  get size(): number {
    return this.#size;
  }

  /** Whether the next `write` would throw. */
  get isFull(): boolean {
    return this.#size === this.capacity;
  }

  /**
   * Adds a value at the back.
   *
   * @throws BufferFullError when the ring is full (the ring is unchanged)
   */
  write(value: T): void {
    if (this.#size === this.capacity) {
      throw new BufferFullError(`cannot write: the ring buffer is full (capacity ${this.capacity})`);
    }
    let tail = this.#head + this.#size;
    if (tail >= this.capacity) tail -= this.capacity;
    this.#slots[tail] = value;
    this.#size++;
  }

  /**
   * Removes and returns the oldest value.
   *
   * @throws BufferEmptyError when the ring is empty
   */
  read(): T {
    if (this.#size === 0) throw new BufferEmptyError('cannot read: the ring buffer is empty');
    const value = this.#slots[this.#head] as T;
    this.#slots[this.#head] = undefined;
    this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
    this.#size--;
    return value;
  }

  /** Iterates the values oldest first, without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#slots[(this.#head + i) % this.capacity] as T;
  }
}
