// A push subscriber of a RedisBuffer: batches handed to its handler one at a time, acked when it resolves.
import type { Subscriber } from '@dispenser/core';
import type { Codec } from '../codec';
import type { Consumer, RawEntry } from './consumer';
import { decodeBatch, type Batch } from './decode';

/**
 * Calls the subscriber's handler with each batch its consumer reads, in order, one call at a
 * time; acks a batch when the call returns or resolves. A handler that throws or rejects takes
 * the subscriber down: its batches go back for other consumers and it reads no more.
 */
export class PushSubscriber<E> {
  readonly consumer: Consumer;
  readonly #subscriber: Subscriber<E>;
  readonly #codec: Codec<E>;
  readonly #report: (error: unknown) => void;
  readonly #onDown: () => void;
  #chain: Promise<void> = Promise.resolve();
  #down = false;
  #current: Batch<E> | undefined;

  constructor(subscriber: Subscriber<E>, consumer: Consumer, codec: Codec<E>, report: (error: unknown) => void, onDown: () => void) {
    this.#subscriber = subscriber;
    this.consumer = consumer;
    this.#codec = codec;
    this.#report = report;
    this.#onDown = onDown;
  }

  /** Receives what the consumer read. */
  readonly receive = (entries: RawEntry[]): void => {
    const batch = decodeBatch(this.consumer, this.#codec, entries, this.#report);
    if (batch !== undefined) this.#chain = this.#chain.then(() => this.#handle(batch));
  };

  /**
   * Stops reading, lets the handler finish the batches already read, then leaves. When `signal`
   * aborts first, it stops waiting: the batch in the handler goes back as failed, the others as
   * never handled, and it rejects with the signal's reason.
   */
  async end(signal?: AbortSignal): Promise<void> {
    await this.consumer.stop();
    try {
      await untilSettledOrAborted(this.#chain, signal);
    } catch (reason) {
      this.#down = true;
      const current = this.#current;
      if (current !== undefined) await this.consumer.settle('release', current.delivery.ids).catch(this.#report);
      await this.consumer.leave();
      throw reason;
    }
    await this.consumer.leave();
  }

  async #handle(batch: Batch<E>): Promise<void> {
    if (this.#down) return;
    this.#current = batch;
    try {
      await this.#subscriber.handleAssignedEvents(batch.events, batch.delivery);
    } catch (error) {
      this.#current = undefined;
      if (this.#down) return;
      this.#down = true;
      this.#report(error);
      this.#onDown();
      await this.consumer.settle('release', batch.delivery.ids).catch(this.#report);
      await this.consumer.leave();
      return;
    }
    this.#current = undefined;
    // Given back already when close() stopped waiting for this handler.
    if (this.#down) return;
    try {
      await this.consumer.settle('ack', batch.delivery.ids);
    } catch (error) {
      this.#report(error);
    }
  }
}

/** Resolves when `work` settles; rejects with the reason when `signal` aborts first. */
function untilSettledOrAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return work;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
