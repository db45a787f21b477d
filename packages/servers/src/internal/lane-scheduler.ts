// The flush lanes of DataBuffer: FIFO queues that each run one item at a time, and which key goes to which lane.
import { LimitedQueue } from '@dispenser/core';
import { fnv1a } from '@dispenser/core/internal';

/** One lane: the items waiting for it, and whether one of them runs now. */
interface Lane<T> {
  readonly queue: LimitedQueue<T>;
  /** An item of this lane was started and has not been released yet. */
  busy: boolean;
  /** A pump loop of this lane is on the stack (an item that finishes synchronously loops there). */
  pumping: boolean;
}

/**
 * `count` lanes, each a FIFO of items of which at most one runs at a time, so `count` bounds how
 * many run at once. `start(item, lane)` is called when an item's turn comes; its owner must call
 * {@link LaneScheduler.release} exactly once when the item is done, synchronously inside `start`
 * or later. Items that finish synchronously are run in a loop, not recursively, so a long queue
 * of synchronous items does not grow the stack.
 *
 * **When to use:** inside `DataBuffer`, which queues keys here; not exported from the package.
 *
 * **Gotchas:** the scheduler does not deduplicate: the owner keeps an item out of the queue while
 * it is queued already.
 *
 * @example
 * ```ts
 * const lanes = new LaneScheduler<string>(2, (key, lane) => write(key).finally(() => lanes.release(lane)));
 * lanes.enqueue(lanes.laneFor('users'), 'users');
 * ```
 */
export class LaneScheduler<T> {
  readonly #lanes: Lane<T>[];
  readonly #start: (item: T, lane: number) => void;
  #nextLane = 0;

  /**
   * @param count - number of lanes, a safe integer >= 1 (checked by the caller)
   * @param start - runs an item whose turn came; must lead to one `release(lane)`
   */
  constructor(count: number, start: (item: T, lane: number) => void) {
    this.#start = start;
    this.#lanes = Array.from({ length: count }, () => ({
      queue: new LimitedQueue<T>(Number.MAX_SAFE_INTEGER),
      busy: false,
      pumping: false,
    }));
  }

  /**
   * The lane of a key. String, number, bigint, boolean, `null` and `undefined` keys get the lane
   * given by a stable hash (FNV-1a of `String(key)`); object, function and symbol keys, which have
   * no stable text, get lanes round-robin (the caller keeps the lane while the key holds values).
   *
   * @example
   * ```ts
   * lanes.laneFor('users') === lanes.laneFor('users'); // true
   * ```
   */
  laneFor(key: unknown): number {
    const count = this.#lanes.length;
    if (count === 1) return 0;
    const type = typeof key;
    if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean' || key == null) {
      return fnv1a(String(key)) % count;
    }
    const lane = this.#nextLane;
    this.#nextLane = (lane + 1) % count;
    return lane;
  }

  /**
   * Appends `item` to the queue of `lane` and starts it at once when the lane is idle.
   *
   * @example
   * ```ts
   * lanes.enqueue(0, 'users');
   * ```
   */
  enqueue(lane: number, item: T): void {
    const state = this.#lanes[lane] as Lane<T>;
    state.queue.push(item);
    this.#pump(state, lane);
  }

  /**
   * Ends the running item of `lane` and starts the next waiting ones.
   *
   * @example
   * ```ts
   * lanes.release(0);
   * ```
   */
  release(lane: number): void {
    const state = this.#lanes[lane] as Lane<T>;
    state.busy = false;
    this.#pump(state, lane);
  }

  /**
   * Empties every queue without starting anything (items already running keep running).
   *
   * @returns the items taken out, lane by lane, oldest first
   * @example
   * ```ts
   * for (const key of lanes.drain()) unschedule(key);
   * ```
   */
  drain(): T[] {
    const drained: T[] = [];
    for (const lane of this.#lanes) {
      while (lane.queue.size > 0) drained.push(lane.queue.pop() as T);
    }
    return drained;
  }

  /** Starts queued items while the lane is idle; items that finish synchronously loop here. */
  #pump(state: Lane<T>, lane: number): void {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (!state.busy && state.queue.size > 0) {
        const item = state.queue.pop() as T;
        state.busy = true;
        this.#start(item, lane);
      }
    } finally {
      state.pumping = false;
    }
  }
}
