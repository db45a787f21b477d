// Calls subscribers' handlers for a push server and watches the promises they return.
import type { Subscriber } from '@dispenser/core';
import { describeValue } from '@dispenser/core/internal';
import { toPromise } from './async';

/** A handler promise not settled yet, with the batch it is about. */
interface Pending<E> {
  readonly events: E[];
  /** Settles (never rejects) once the handler's promise settled and its outcome was booked. */
  promise: Promise<void>;
  abandoned: boolean;
}

/**
 * The delivery half a push server needs, the same for every server: calls a handler, treats
 * what it returns as `await` would (a hostile thenable is only a rejection), keeps the promises
 * that have not settled, and reports a failure, at once or when the promise rejects, exactly
 * once per batch. The server decides what a failure means (counted, reported, redelivered).
 */
export class HandlerCalls<E> {
  readonly #pending = new Set<Pending<E>>();
  readonly #onFailure: (subscriber: Subscriber<E>, events: E[], cause: unknown, late: boolean) => void;
  readonly #onSettled: () => void;

  /**
   * @param onFailure - a handler threw (`late` false: `call` returns `false`), or the promise it
   *   returned rejected (`late` true: the batch was counted as handed over until then)
   * @param onSettled - a handler promise settled (after its failure, if any, was reported)
   */
  constructor(onFailure: (subscriber: Subscriber<E>, events: E[], cause: unknown, late: boolean) => void, onSettled: () => void) {
    this.#onFailure = onFailure;
    this.#onSettled = onSettled;
  }

  /** Handler promises not settled yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Hands `events` to `subscriber`. Returns `false` when the handler threw (the failure is
   * already reported), `true` otherwise; a returned promise that rejects later is reported then.
   */
  call(subscriber: Subscriber<E>, events: E[], sender: unknown): boolean {
    let result: unknown;
    try {
      result = subscriber.handleAssignedEvents(events, sender);
    } catch (error) {
      this.#onFailure(subscriber, events, error, false);
      return false;
    }
    if (result !== undefined) {
      const promise = toPromise(result);
      if (promise !== undefined) this.#track(subscriber, events, promise);
    }
    return true;
  }

  /** Resolves once no handler promise is pending (including ones that start meanwhile). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) {
      const waiting: Array<Promise<void>> = [];
      for (const pending of this.#pending) waiting.push(pending.promise);
      await Promise.all(waiting);
    }
  }

  /**
   * Stops watching the pending promises (an aborted close): hands each batch to `each`, and
   * ignores how those promises settle later.
   */
  abandon(each: (events: E[]) => void): void {
    for (const pending of this.#pending) {
      pending.abandoned = true;
      each(pending.events);
    }
    this.#pending.clear();
  }

  #track(subscriber: Subscriber<E>, events: E[], result: Promise<unknown>): void {
    const pending: Pending<E> = { events, promise: undefined as unknown as Promise<void>, abandoned: false };
    pending.promise = result.then(
      () => {
        if (pending.abandoned) return;
        this.#pending.delete(pending);
        this.#onSettled();
      },
      (error: unknown) => {
        if (pending.abandoned) return;
        this.#pending.delete(pending);
        this.#onFailure(subscriber, events, error, true);
        this.#onSettled();
      },
    );
    this.#pending.add(pending);
  }
}

/** Checks that `value` is a subscriber: an object with a `handleAssignedEvents` method. */
export function assertSubscriber(value: unknown): asserts value is Subscriber<unknown> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { handleAssignedEvents?: unknown }).handleAssignedEvents !== 'function'
  ) {
    throw new TypeError(`subscriber must be an object with a handleAssignedEvents method, received ${describeValue(value)}`);
  }
}
