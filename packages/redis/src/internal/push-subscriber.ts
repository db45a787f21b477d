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

  /** Stops reading, lets the handler finish the batches already read, then leaves. */
  async end(): Promise<void> {
    await this.consumer.stop();
    await this.#chain;
    await this.consumer.leave();
  }

  async #handle(batch: Batch<E>): Promise<void> {
    if (this.#down) return;
    try {
      await this.#subscriber.handleAssignedEvents(batch.events, batch.delivery);
    } catch (error) {
      this.#down = true;
      this.#report(error);
      this.#onDown();
      await this.consumer.settle('release', batch.delivery.ids).catch(this.#report);
      await this.consumer.leave();
      return;
    }
    try {
      await this.consumer.settle('ack', batch.delivery.ids);
    } catch (error) {
      this.#report(error);
    }
  }
}
