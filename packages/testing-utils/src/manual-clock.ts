// A Clock that only moves when a test tells it to, so timer-driven code runs deterministically.
import { type Clock } from '@dispenser/core';
import { assertCount, assertFunction } from '@dispenser/core/internal';
import { assertDuration } from './internal/assert-duration';

/** One scheduled callback. `seq` breaks ties so equal due times run in the order they were set. */
interface Timer {
  readonly id: number;
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  /** Where the timer sits in the heap, so `clearTimeout` can take it out at once. */
  index: number;
}

/** Captured at load time so `vi.useFakeTimers()` in a test cannot stall {@link ManualClock.advanceAsync}. */
const realSetImmediate: ((fn: () => void) => unknown) | undefined =
  typeof globalThis.setImmediate === 'function' ? /*#__PURE__*/ globalThis.setImmediate.bind(globalThis) : undefined;
const realSetTimeout = /*#__PURE__*/ globalThis.setTimeout.bind(globalThis);

/** Resolves after every pending microtask (of any depth) has run: one macrotask turn. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => {
    if (realSetImmediate) realSetImmediate(resolve);
    else realSetTimeout(resolve, 0);
  });
}

function earlier(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/** `time + ms`, saturating at `Number.MAX_VALUE` so that only an infinite delay gives `Infinity`. */
function later(time: number, ms: number): number {
  const sum = time + ms;
  return sum === Number.POSITIVE_INFINITY && ms !== Number.POSITIVE_INFINITY ? Number.MAX_VALUE : sum;
}

/**
 * A {@link Clock} whose time stands still until you call {@link ManualClock.advance}: timers run
 * synchronously, in due-time order, inside `advance`, so tests of timer-driven code need no real
 * waiting and never flake.
 *
 * **When to use:** pass it as the `clock` option of anything in dispenser that waits or delays
 * (batching servers, flush buffers, `TestSubscriber.waitForEvents`), then step time by hand.
 *
 * **Gotchas:**
 * - A delay that is negative or `NaN` counts as 0 instead of throwing, as the real
 *   `setTimeout` tolerates it too; a delay of `Infinity` never falls due. Any finite delay is
 *   honoured exactly, also above the 2^31-1 ms that a real timer cannot wait.
 * - Time saturates at `Number.MAX_VALUE`: an `advance` past it stops there, and a finite delay
 *   that would fall due past it falls due at it (so only `Infinity` never runs).
 * - Code that continues after an `await` needs the microtask queue to drain between timers: use
 *   {@link ManualClock.advanceAsync} for it.
 * - When a callback throws, `advance` stops and rethrows: `now()` stays at that timer's due time
 *   and later timers stay pending.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * clock.setTimeout(() => console.log('second', clock.now()), 20);
 * clock.setTimeout(() => console.log('first', clock.now()), 10);
 * clock.advance(25); // logs "first 10", then "second 20"
 * clock.now();       // 25
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  /** Min-heap of the scheduled timers, ordered by (due, seq); each knows its index in it. */
  readonly #heap: Timer[] = [];
  /** The same timers, by handle; `clearTimeout` removes a timer from both at once. */
  readonly #live = new Map<number, Timer>();
  #seq = 0;

  /**
   * @param start - the time `now()` returns before any `advance`
   * @default start 0
   * @throws TypeError / RangeError when `start` is not a finite number >= 0
   */
  constructor(start = 0) {
    assertDuration('start', start);
    this.#now = start;
  }

  /**
   * The current manual time. Inside a timer callback it equals that timer's due time.
   *
   * @example
   * ```ts
   * new ManualClock(100).now(); // 100
   * ```
   */
  now(): number {
    return this.#now;
  }

  /**
   * The number of timers that are scheduled and not yet run or cleared.
   *
   * @example
   * ```ts
   * const clock = new ManualClock();
   * clock.setTimeout(() => {}, 5);
   * clock.pending; // 1
   * ```
   */
  get pending(): number {
    return this.#live.size;
  }

  /**
   * Schedules `fn` to run when manual time reaches `now() + ms`.
   *
   * @param ms - delay in milliseconds; negative or `NaN` counts as 0, `Infinity` never runs, and
   *   any finite delay is honoured exactly (one that would fall due past `Number.MAX_VALUE` falls
   *   due at it)
   * @returns a handle for {@link ManualClock.clearTimeout}
   * @throws TypeError when `fn` is not a function
   * @example
   * ```ts
   * const handle = clock.setTimeout(() => console.log('tick'), 100);
   * ```
   */
  setTimeout(fn: () => void, ms: number): number {
    assertFunction('fn', fn);
    const delay = ms > 0 ? ms : 0;
    const id = ++this.#seq;
    const timer: Timer = { id, due: later(this.#now, delay), seq: id, fn, index: -1 };
    this.#live.set(id, timer);
    this.#push(timer);
    return id;
  }

  /**
   * Cancels a timer; handles that are unknown, already run or already cleared are ignored. The
   * timer is dropped at once, so setting and clearing timers in a loop holds no memory.
   *
   * @example
   * ```ts
   * const handle = clock.setTimeout(() => console.log('never'), 100);
   * clock.clearTimeout(handle);
   * clock.advance(200); // logs nothing
   * ```
   */
  clearTimeout(handle: unknown): void {
    if (typeof handle !== 'number') return;
    const timer = this.#live.get(handle);
    if (timer === undefined) return;
    this.#live.delete(handle);
    this.#remove(timer.index);
  }

  /**
   * Moves time forward by `ms` (stopping at `Number.MAX_VALUE`), running every timer that falls
   * due on the way, in due-time order (timers due at the same time run in the order they were
   * set). Timers that callbacks set are run too when they fall due within the window.
   *
   * @param ms - a finite number >= 0; 0 runs the timers that are due now
   * @throws TypeError / RangeError naming `ms` when it is not a finite number >= 0 (time does not move)
   * @throws whatever a timer callback throws (see the class's Gotchas)
   * @example
   * ```ts
   * const clock = new ManualClock();
   * clock.setTimeout(() => clock.setTimeout(() => console.log('nested', clock.now()), 5), 10);
   * clock.advance(20); // logs "nested 15"
   * ```
   */
  advance(ms: number): void {
    assertDuration('ms', ms);
    const target = later(this.#now, ms);
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) timer.fn();
    if (target > this.#now) this.#now = target;
  }

  /**
   * Like {@link ManualClock.advance}, but lets the microtask queue drain before the first timer,
   * after each timer and at the end, so code that awaits promises between timers keeps up.
   *
   * @param ms - a finite number >= 0
   * @throws TypeError / RangeError naming `ms` (the promise rejects; time does not move)
   * @example
   * ```ts
   * const clock = new ManualClock();
   * const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
   * const done = (async () => { await sleep(10); await sleep(10); return clock.now(); })();
   * await clock.advanceAsync(20);
   * await done; // 20
   * ```
   */
  async advanceAsync(ms: number): Promise<void> {
    assertDuration('ms', ms);
    const target = later(this.#now, ms);
    await drainMicrotasks();
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      timer.fn();
      await drainMicrotasks();
    }
    if (target > this.#now) this.#now = target;
  }

  /**
   * Runs timers in order, jumping time to each one's due time, until none with a finite delay is
   * left (including timers that the callbacks set).
   *
   * @param options.limit - how many timers to run at most before giving up
   * @default limit 10000
   * @returns how many timers ran
   * @throws TypeError / RangeError naming `limit` when it is not a safe integer >= 1
   * @throws Error when `limit` timers ran and more are still due (a timer that keeps rescheduling itself)
   * @example
   * ```ts
   * const clock = new ManualClock();
   * clock.setTimeout(() => {}, 1_000);
   * clock.runAll(); // 1
   * clock.now();    // 1000
   * ```
   */
  runAll(options: { limit?: number } = {}): number {
    const limit = options.limit ?? 10_000;
    assertCount('limit', limit, 1);
    let ran = 0;
    for (let timer = this.#takeDue(Number.MAX_VALUE); timer; timer = this.#takeDue(Number.MAX_VALUE)) {
      if (ran === limit) {
        this.#live.set(timer.id, timer);
        this.#push(timer);
        throw new Error(`runAll() stopped after ${limit} timers; some timer keeps scheduling new ones`);
      }
      ran++;
      timer.fn();
    }
    return ran;
  }

  /** Removes and returns the earliest timer due at or before `target`, moving time to it. */
  #takeDue(target: number): Timer | undefined {
    const top = this.#heap[0];
    if (top === undefined || top.due > target) return undefined;
    this.#remove(0);
    this.#live.delete(top.id);
    if (top.due > this.#now) this.#now = top.due;
    return top;
  }

  #push(timer: Timer): void {
    timer.index = this.#heap.push(timer) - 1;
    this.#siftUp(timer);
  }

  /** Takes the timer at `index` out of the heap, moving the last timer into its place. */
  #remove(index: number): void {
    const heap = this.#heap;
    const last = heap.pop() as Timer;
    if (index === heap.length) return;
    heap[index] = last;
    last.index = index;
    const parent = heap[(index - 1) >> 1];
    if (index > 0 && parent !== undefined && earlier(last, parent)) this.#siftUp(last);
    else this.#siftDown(last);
  }

  #siftUp(timer: Timer): void {
    const heap = this.#heap;
    let i = timer.index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as Timer;
      if (!earlier(timer, above)) break;
      heap[i] = above;
      above.index = i;
      i = parent;
    }
    heap[i] = timer;
    timer.index = i;
  }

  #siftDown(timer: Timer): void {
    const heap = this.#heap;
    let i = timer.index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      let child = left;
      if (right < heap.length && earlier(heap[right] as Timer, heap[left] as Timer)) child = right;
      const below = heap[child] as Timer;
      if (!earlier(below, timer)) break;
      heap[i] = below;
      below.index = i;
      i = child;
    }
    heap[i] = timer;
    timer.index = i;
  }
}
