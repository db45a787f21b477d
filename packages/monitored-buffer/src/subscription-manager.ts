// Tracks which subscribers are watched, with one ref per monitoring and a cleanup that runs once.
import { assertFunction, assertKnownKeys, assertObject } from '@dispenser/core/internal';
import { watchSignal, type DownResult, type Monitor, type MonitorRef } from './monitor';

/** Options of {@link SubscriptionManager}. */
export interface SubscriptionManagerOptions<S> {
  /**
   * Watches a subscriber and reports it down.
   * @default signalMonitor (down when `subscriber.signal` aborts)
   */
  monitor?: Monitor<S>;
  /**
   * Called after a monitor reported a watched subscriber down and the manager stopped
   * monitoring it. Not called for {@link SubscriptionManager.down}, whose caller already knows.
   */
  onDown?: (subscriber: S, ref: MonitorRef, reason: unknown) => void;
}

interface Entry {
  readonly ref: MonitorRef;
  cleanup: (() => void) | undefined;
  released: boolean;
}

/**
 * Keeps the set of monitored subscribers: starts a {@link Monitor} for each new one, stops it on
 * `demonitor`, and tells you (through `onDown`) when a subscriber goes away by itself.
 *
 * Each monitoring gets a fresh {@link MonitorRef}, so a report about an older monitoring of the
 * same subscriber (a stale ref) can be told apart and ignored. The monitor's cleanup runs
 * exactly once per monitoring.
 *
 * **When to use:** in your own server, next to a `DemandBuffer`, to drop the demand of
 * subscribers that disappear. {@link MonitoredBuffer} already combines the two.
 *
 * **Gotchas:** when a monitor reports a subscriber down, the manager forgets it *before* calling
 * `onDown`; calling `down(subscriber, ref)` afterwards returns `'not_subscribed'`.
 *
 * @example
 * ```ts
 * const manager = new SubscriptionManager<Worker>({ onDown: (worker) => buffer.delete(worker) });
 * const ref = manager.monitor(worker);     // same ref on every later call while monitored
 * manager.down(worker, {});                // 'wrong_ref', nothing changes
 * manager.down(worker, ref);               // 'ok'
 * manager.demonitor(worker);               // false: no longer monitored
 * ```
 */
export class SubscriptionManager<S> {
  readonly #entries = new Map<S, Entry>();
  readonly #monitor: Monitor<S>;
  readonly #onDown: ((subscriber: S, ref: MonitorRef, reason: unknown) => void) | undefined;

  /**
   * @throws TypeError when `options` is not an object, or `monitor` / `onDown` is not a function
   */
  constructor(options: SubscriptionManagerOptions<S> = {}) {
    assertObject('options', options);
    assertKnownKeys('options', options, ['monitor', 'onDown']);
    const { monitor = watchSignal, onDown } = options;
    assertFunction('options.monitor', monitor);
    if (onDown !== undefined) assertFunction('options.onDown', onDown);
    this.#monitor = monitor;
    this.#onDown = onDown;
  }

  /** Number of monitored subscribers. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `subscriber` is monitored. */
  has(subscriber: S): boolean {
    return this.#entries.has(subscriber);
  }

  /** The ref of the current monitoring of `subscriber`, or `undefined` when it is not monitored. */
  ref(subscriber: S): MonitorRef | undefined {
    return this.#entries.get(subscriber)?.ref;
  }

  /** The monitored subscribers, in the order they were first monitored. */
  subscribers(): IterableIterator<S> {
    return this.#entries.keys();
  }

  /**
   * Starts monitoring `subscriber`; idempotent.
   *
   * If the monitor reports the subscriber down during this call (it is already gone), `onDown`
   * runs before `monitor` returns and the subscriber is not monitored afterwards.
   *
   * @returns the ref of this monitoring; the same ref while the subscriber stays monitored
   * @throws whatever the monitor throws (the subscriber is then not monitored)
   */
  monitor(subscriber: S): MonitorRef {
    const existing = this.#entries.get(subscriber);
    if (existing !== undefined) return existing.ref;
    const ref: MonitorRef = Object.freeze({});
    const entry: Entry = { ref, cleanup: undefined, released: false };
    this.#entries.set(subscriber, entry);
    let cleanup: (() => void) | void;
    try {
      cleanup = this.#monitor(subscriber, (reason?: unknown) => this.#reportDown(subscriber, ref, reason));
    } catch (error) {
      if (this.#entries.get(subscriber) === entry) this.#entries.delete(subscriber);
      entry.released = true;
      throw error;
    }
    if (typeof cleanup === 'function') {
      // Already down (or demonitored by onDown) while the monitor was starting: undo it now.
      if (entry.released) cleanup();
      else entry.cleanup = cleanup;
    }
    return ref;
  }

  /**
   * Stops monitoring `subscriber` and runs the monitor's cleanup.
   *
   * @returns `false` when it was not monitored
   */
  demonitor(subscriber: S): boolean {
    const entry = this.#entries.get(subscriber);
    if (entry === undefined) return false;
    this.#entries.delete(subscriber);
    release(entry);
    return true;
  }

  /**
   * Handles a down report that reached you another way (for example an error from the
   * subscriber): stops monitoring when `ref` is the current one. Does not call `onDown`.
   *
   * @returns `'ok'`, `'not_subscribed'` for an unknown subscriber, or `'wrong_ref'` when `ref`
   *   is not the one `monitor` returned (nothing changes)
   */
  down(subscriber: S, ref: MonitorRef): DownResult {
    const entry = this.#entries.get(subscriber);
    if (entry === undefined) return 'not_subscribed';
    if (entry.ref !== ref) return 'wrong_ref';
    this.#entries.delete(subscriber);
    release(entry);
    return 'ok';
  }

  #reportDown(subscriber: S, ref: MonitorRef, reason: unknown): void {
    const entry = this.#entries.get(subscriber);
    if (entry === undefined || entry.ref !== ref) return;
    this.#entries.delete(subscriber);
    try {
      release(entry);
    } finally {
      this.#onDown?.(subscriber, ref, reason);
    }
  }
}

/** Runs the cleanup of a monitoring once; later calls do nothing. */
function release(entry: Entry): void {
  if (entry.released) return;
  entry.released = true;
  const cleanup = entry.cleanup;
  entry.cleanup = undefined;
  cleanup?.();
}
