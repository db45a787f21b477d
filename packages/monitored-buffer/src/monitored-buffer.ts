// A DemandBuffer plus a SubscriptionManager: demand of subscribers that go away is cancelled.
import type { BufferStats, DemandBuffer, DropListener } from '@dispenser/core';
import { assertCount, assertDemandBuffer, assertFunction, assertKnownKeys, assertObject } from '@dispenser/core/internal';
import type { DownResult, MonitorRef } from './monitor';
import { SubscriptionManager, type SubscriptionManagerOptions } from './subscription-manager';

/** Options of {@link MonitoredBuffer}: the same as {@link SubscriptionManager}'s. */
export type MonitoredBufferOptions<S> = SubscriptionManagerOptions<S>;

/** What {@link MonitoredBuffer.stats} returns: the buffer's figures plus who is subscribed. */
export interface MonitoredBufferStats extends BufferStats {
  /** Subscribers subscribed now. */
  subscribed: number;
}

/**
 * Wraps a `DemandBuffer` (for example `EventBuffer`) so that every subscriber with demand is
 * monitored, and a subscriber that goes down loses its demand automatically. It is a
 * `DemandBuffer` itself: drive everything through it.
 *
 * A subscriber becomes *subscribed* on its first `ask` with a demand above 0 and stays
 * subscribed (even with no demand left) until `delete`, `down`, or its monitor reports it gone.
 *
 * **When to use:** as the state of your own server that pushes events to subscribers which can
 * disappear. (`BufferServer` in `@dispenser/servers` monitors its subscribers itself, with the
 * same {@link SubscriptionManager}; give it the plain buffer.)
 *
 * **Gotchas:** `onDown` is called after the subscriber's demand is cancelled; a subscriber whose
 * signal is already aborted is reported down during `ask` and ends up with no demand.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { MonitoredBuffer } from '@dispenser/monitored-buffer';
 * import { even } from '@dispenser/strategies';
 *
 * interface Worker { name: string; signal: AbortSignal }
 * const controller = new AbortController();
 * const worker: Worker = { name: 'w1', signal: controller.signal };
 *
 * const buffer = new MonitoredBuffer(new EventBuffer<string, Worker>({ strategy: even, capacity: 100 }));
 * buffer.ask(worker, 10);  // monitors worker (down when worker.signal aborts)
 * buffer.append(['a', 'b']);
 * buffer.assignEvents();   // [[worker, ['a', 'b']]]
 * buffer.stats();          // { buffered: 0, subscribed: 1, demand: 8 }
 * controller.abort();      // worker is down: its demand is cancelled
 * buffer.stats();          // { buffered: 0, subscribed: 0, demand: 0 }
 * ```
 */
export class MonitoredBuffer<E, S> implements DemandBuffer<E, S> {
  readonly #buffer: DemandBuffer<E, S>;
  readonly #manager: SubscriptionManager<S>;

  /**
   * @param buffer - the buffer to drive; keep using it only through this wrapper
   * @throws TypeError when `buffer` does not look like a `DemandBuffer`, or for bad options
   */
  constructor(buffer: DemandBuffer<E, S>, options: MonitoredBufferOptions<S> = {}) {
    assertDemandBuffer('buffer', buffer);
    assertObject('options', options);
    assertKnownKeys('options', options, ['monitor', 'onDown']);
    const { onDown } = options;
    if (onDown !== undefined) assertFunction('options.onDown', onDown);
    this.#buffer = buffer;
    const managerOptions: SubscriptionManagerOptions<S> = {
      onDown: (subscriber, ref, reason) => {
        buffer.delete(subscriber);
        onDown?.(subscriber, ref, reason);
      },
    };
    if (options.monitor !== undefined) managerOptions.monitor = options.monitor;
    this.#manager = new SubscriptionManager(managerOptions);
  }

  /** Number of buffered events. */
  get size(): number {
    return this.#buffer.size;
  }

  /** The wrapped buffer's capacity (`undefined` when it has none). */
  get capacity(): number | undefined {
    return this.#buffer.capacity;
  }

  /** The wrapped buffer's count of discarded events (`undefined` when it keeps none). */
  get discarded(): number | undefined {
    return this.#buffer.discarded;
  }

  /** Whether the wrapped buffer can take events back for redelivery. */
  get supportsRedelivery(): boolean {
    return typeof this.#buffer.prepend === 'function' && this.#buffer.supportsRedelivery !== false;
  }

  /**
   * Hands `listener` what the wrapped buffer drops or discards, from now on.
   *
   * @throws TypeError when the wrapped buffer does not report its drops
   */
  watchDrops(listener: DropListener<E> | undefined): void {
    const buffer = this.#buffer;
    if (typeof buffer.watchDrops !== 'function') {
      throw new TypeError('the wrapped buffer has no watchDrops method, so its drops cannot be reported');
    }
    buffer.watchDrops(listener);
  }

  /**
   * Appends and assigns in one call (the wrapped buffer's fast path when it has one, otherwise
   * `append` then `assignEvents`), pushing the pairs into `into`.
   *
   * @returns how many events the buffer dropped
   */
  appendAndAssign(events: readonly E[], into: Array<[S, E[]]>): number {
    const buffer = this.#buffer;
    if (typeof buffer.appendAndAssign === 'function') return buffer.appendAndAssign(events, into);
    const dropped = buffer.append(events);
    for (const pair of buffer.assignEvents()) into.push(pair);
    return dropped;
  }

  /** Number of subscribed (monitored) subscribers. */
  get subscribed(): number {
    return this.#manager.size;
  }

  /** Whether `subscriber` is subscribed (monitored). */
  has(subscriber: S): boolean {
    return this.#manager.has(subscriber);
  }

  /** The ref of the subscriber's current monitoring (what `down` expects), or `undefined`. */
  ref(subscriber: S): MonitorRef | undefined {
    return this.#manager.ref(subscriber);
  }

  /** The subscribed subscribers, oldest subscription first. */
  subscribers(): IterableIterator<S> {
    return this.#manager.subscribers();
  }

  /**
   * Adds events to the buffer.
   *
   * @returns how many events the buffer dropped
   */
  append(events: readonly E[]): number {
    return this.#buffer.append(events);
  }

  /**
   * Puts events back at the head of the wrapped buffer, oldest first (for redelivery).
   *
   * @returns how many events the buffer dropped
   * @throws TypeError when the wrapped buffer has no `prepend`
   */
  prepend(events: readonly E[]): number {
    const buffer = this.#buffer;
    if (typeof buffer.prepend !== 'function') {
      throw new TypeError('the wrapped buffer has no prepend method, so events cannot be put back');
    }
    return buffer.prepend(events);
  }

  /**
   * Adds demand for `subscriber` and monitors it. A demand of 0 does nothing: it neither
   * subscribes nor adds demand.
   *
   * @param demand - a non-negative safe integer
   * @throws TypeError / RangeError for a bad demand (nothing changes); whatever the monitor
   *   throws (the demand added by this call is cancelled again)
   */
  ask(subscriber: S, demand: number): void {
    assertCount('demand', demand);
    if (demand === 0) return;
    const known = this.#manager.has(subscriber);
    this.#buffer.ask(subscriber, demand);
    if (known) return;
    try {
      this.#manager.monitor(subscriber);
    } catch (error) {
      this.#buffer.delete(subscriber);
      throw error;
    }
  }

  /** Takes the events that can be sent now: `[subscriber, events]` pairs, `[]` when none. */
  assignEvents(): Array<[S, E[]]> {
    return this.#buffer.assignEvents();
  }

  /**
   * Unsubscribes `subscriber`: stops monitoring it and cancels its remaining demand.
   *
   * @returns `false` when it was not subscribed
   */
  delete(subscriber: S): boolean {
    this.#buffer.delete(subscriber);
    return this.#manager.demonitor(subscriber);
  }

  /**
   * Handles a down report for `subscriber` that reached you another way; `'ok'` also cancels
   * its demand. Does not call `onDown`.
   *
   * @returns `'ok'`, `'not_subscribed'`, or `'wrong_ref'` (a stale ref; nothing changes)
   */
  down(subscriber: S, ref: MonitorRef): DownResult {
    const result = this.#manager.down(subscriber, ref);
    if (result === 'ok') this.#buffer.delete(subscriber);
    return result;
  }

  /** Buffered events, subscribed subscribers and outstanding demand: exactly `{ buffered, subscribed, demand }`. */
  stats(): MonitoredBufferStats {
    const { buffered, demand } = this.#buffer.stats();
    return { buffered, subscribed: this.#manager.size, demand };
  }
}
