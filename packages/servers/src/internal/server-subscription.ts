// The Subscription a server hands out: a subscriber that queues its batches for an async iterator.
import { LimitedQueue, type Subscriber } from '@dispenser/core';
import { assertCount, renameDemandOverflow } from '@dispenser/core/internal';
import type { Subscription } from '../subscription';

/** What a subscription needs from the server that created it. */
export interface SubscriptionHost<E> {
  /** Adds demand for the subscription. */
  ask(subscription: ServerSubscription<E>, amount: number): void;
  /** Unsubscribes it from the server; the server then calls {@link ServerSubscription.drain}. */
  unsubscribe(subscription: ServerSubscription<E>): boolean;
  /** Takes back events the consumer will never see, oldest first. */
  restore(events: E[]): void;
}

const ACTIVE = 0; // asking for events
const DRAINING = 1; // no longer asking; the loop still gets what is queued
const DONE = 2; // the loop is over; late events go back to the server

interface Waiter<E> {
  resolve(result: IteratorResult<E[], undefined>): void;
  reject(reason: unknown): void;
}

const finished: IteratorResult<never, undefined> = /*#__PURE__*/ Object.freeze({ done: true, value: undefined });

/**
 * A {@link Subscription} that is also the {@link Subscriber} the server pushes to, and its own
 * async iterator (so a second `for await` continues where the first stopped).
 */
export class ServerSubscription<E> implements Subscription<E>, Subscriber<E>, AsyncIterator<E[], undefined> {
  readonly #host: SubscriptionHost<E>;
  readonly #maxDemand: number;
  readonly #minDemand: number;
  readonly #signal: AbortSignal | undefined;
  readonly #batches = new LimitedQueue<E[]>(Number.MAX_SAFE_INTEGER);
  readonly #waiters = new LimitedQueue<Waiter<E>>(Number.MAX_SAFE_INTEGER);
  #state = ACTIVE;
  /** Demand asked for and not yet taken by the loop: pending demand plus queued events. */
  #outstanding = 0;
  #failure: { reason: unknown } | undefined;
  /** Why the last automatic top-up was refused (the total demand would pass the safe range), if it was. */
  #refused: { reason: unknown } | undefined;
  readonly #onAbort = (): void => this.#abort((this.#signal as AbortSignal).reason);

  constructor(host: SubscriptionHost<E>, maxDemand: number, minDemand: number, signal: AbortSignal | undefined) {
    this.#host = host;
    this.#maxDemand = maxDemand;
    this.#minDemand = minDemand;
    this.#signal = signal;
  }

  /**
   * Starts listening to the signal and asks for `maxDemand`; call once, after registering with
   * the host. When the host refuses the demand, leaves nothing behind (no listener, no demand
   * counted) and rethrows.
   */
  start(): void {
    const signal = this.#signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#abort(signal.reason);
        return;
      }
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    this.#outstanding = this.#maxDemand;
    try {
      this.#host.ask(this, this.#maxDemand);
    } catch (error) {
      this.#outstanding = 0;
      this.#state = DONE;
      signal?.removeEventListener('abort', this.#onAbort);
      throw error;
    }
  }

  /** Whether the subscription still asks for events. */
  get active(): boolean {
    return this.#state === ACTIVE;
  }

  ask(n: number): void {
    assertCount('n', n);
    if (this.#state !== ACTIVE || n === 0) return;
    this.#outstanding += n;
    try {
      this.#host.ask(this, n);
    } catch (error) {
      this.#outstanding -= n;
      throw renameDemandOverflow(error, 'n', n);
    }
  }

  unsubscribe(): boolean {
    if (this.#state !== ACTIVE) return false;
    return this.#host.unsubscribe(this);
  }

  /** Called by the server when it dropped the subscription (unsubscribe or close): stop asking, finish after the queue. */
  drain(): void {
    if (this.#state !== ACTIVE) return;
    this.#state = DRAINING;
    if (this.#batches.size === 0) this.#finish();
  }

  handleAssignedEvents(events: E[]): void {
    if (this.#state === DONE) {
      this.#host.restore(events);
      return;
    }
    if (events.length === 0) return;
    const waiter = this.#waiters.pop();
    if (waiter === undefined) {
      this.#batches.push(events);
      return;
    }
    this.#took(events);
    waiter.resolve({ done: false, value: events });
  }

  next(): Promise<IteratorResult<E[], undefined>> {
    const batch = this.#batches.pop();
    if (batch !== undefined) {
      this.#took(batch);
      return Promise.resolve({ done: false, value: batch });
    }
    const failure = this.#failure;
    if (failure !== undefined) {
      this.#failure = undefined;
      return Promise.reject(failure.reason);
    }
    if (this.#state === ACTIVE) {
      // Nothing queued and nothing asked for: a refused top-up would leave the loop waiting
      // forever. Try again; if it is still refused, end the subscription with that error.
      if (this.#outstanding === 0 && this.#refused !== undefined) {
        this.#topUp();
        const refused = this.#refused as { reason: unknown } | undefined;
        if (refused !== undefined && this.#outstanding === 0) {
          this.#stop();
          return Promise.reject(refused.reason);
        }
      }
      return new Promise((resolve, reject) => {
        this.#waiters.push({ resolve, reject });
      });
    }
    if (this.#state === DRAINING) this.#finish();
    return Promise.resolve(finished);
  }

  /** Leaving the loop early: unsubscribe and give the queued events back. */
  return(): Promise<IteratorResult<E[], undefined>> {
    this.#stop();
    this.#settleWaiters(undefined);
    return Promise.resolve(finished);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The loop took `batch`: top demand up again once outstanding demand fell to minDemand. */
  #took(batch: E[]): void {
    this.#outstanding -= batch.length;
    if (this.#state !== ACTIVE || this.#outstanding > this.#minDemand) return;
    this.#topUp();
  }

  /**
   * Asks for what brings the outstanding demand back to `maxDemand`. Never throws: a refusal
   * (the server's total demand would pass the safe range) is kept, the counters are restored,
   * and `next()` reports it when the loop would otherwise wait forever.
   */
  #topUp(): void {
    const amount = this.#maxDemand - this.#outstanding;
    if (amount <= 0) return;
    this.#outstanding += amount;
    try {
      this.#host.ask(this, amount);
      this.#refused = undefined;
    } catch (error) {
      this.#outstanding -= amount;
      this.#refused = {
        reason: new RangeError(`the subscription could not ask for ${amount} more events`, { cause: error }),
      };
    }
  }

  #abort(reason: unknown): void {
    if (this.#state === DONE) return;
    this.#stop();
    if (this.#waiters.size > 0) this.#settleWaiters({ reason });
    else this.#failure = { reason };
  }

  /** Ends the subscription for good: unsubscribed, queue given back, signal released. */
  #stop(): void {
    const wasActive = this.#state === ACTIVE;
    this.#state = DONE;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (wasActive) this.#host.unsubscribe(this);
    const held = this.#batches.size;
    if (held === 0) return;
    const events: E[] = [];
    for (let batch = this.#batches.pop(); batch !== undefined; batch = this.#batches.pop()) {
      for (let i = 0; i < batch.length; i++) events.push(batch[i] as E);
    }
    this.#host.restore(events);
  }

  #finish(): void {
    this.#state = DONE;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#settleWaiters(undefined);
  }

  #settleWaiters(failure: { reason: unknown } | undefined): void {
    for (let waiter = this.#waiters.pop(); waiter !== undefined; waiter = this.#waiters.pop()) {
      if (failure === undefined) waiter.resolve(finished);
      else waiter.reject(failure.reason);
    }
  }
}
