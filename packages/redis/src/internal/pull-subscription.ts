// A RedisSubscription: batches read by one consumer, queued for the loop, acked as it moves on.
import { assertCount, assertDemandFits } from '@dispenser/core/internal';
import type { Codec } from '../codec';
import type { RedisDelivery } from '../redis-buffer-types';
import type { RedisSubscription } from '../redis-subscription';
import type { Consumer, RawEntry } from './consumer';
import { decodeBatch, type Batch } from './decode';

type Done = IteratorReturnResult<undefined>;
const DONE: Done = { done: true, value: undefined };

/** The iterable and iterator of one pull subscription. */
export class PullSubscription<E> implements RedisSubscription<E>, AsyncIterator<E[]> {
  readonly #queue: Array<Batch<E>> = [];
  #inHand: Batch<E> | undefined;
  #waiter: ((result: IteratorResult<E[]>) => void) | undefined;
  #rejectWaiter: ((reason: unknown) => void) | undefined;
  #consumer: Consumer | undefined;
  #ended = false;
  #failure: { reason: unknown } | undefined;
  #acking: Promise<void> | undefined;
  readonly #codec: Codec<E>;
  readonly #report: (error: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#abort();

  constructor(codec: Codec<E>, report: (error: unknown) => void, signal: AbortSignal | undefined) {
    this.#codec = codec;
    this.#report = report;
    this.#signal = signal;
  }

  /** Starts reading through `consumer` with `maxDemand`. */
  start(consumer: Consumer, maxDemand: number): void {
    this.#consumer = consumer;
    if (this.#signal?.aborted === true) {
      this.#abort();
      return;
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    consumer.ask(maxDemand);
  }

  /** Receives what the consumer read. */
  readonly receive = (entries: RawEntry[]): void => {
    const consumer = this.#consumer as Consumer;
    const batch = decodeBatch(consumer, this.#codec, entries, this.#report);
    if (batch === undefined) return;
    const waiter = this.#waiter;
    if (waiter !== undefined && this.#inHand === undefined) {
      this.#clearWaiter();
      this.#inHand = batch;
      waiter({ done: false, value: batch.events });
      return;
    }
    this.#queue.push(batch);
  };

  get delivery(): RedisDelivery | undefined {
    return this.#inHand?.delivery;
  }

  [Symbol.asyncIterator](): AsyncIterator<E[]> {
    return this;
  }

  async next(): Promise<IteratorResult<E[]>> {
    this.#ackInHand();
    if (this.#failure !== undefined) throw this.#failure.reason;
    const batch = this.#queue.shift();
    if (batch !== undefined) {
      this.#inHand = batch;
      return { done: false, value: batch.events };
    }
    if (this.#ended || this.#consumer?.isReading !== true) {
      await this.#finish();
      return DONE;
    }
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#rejectWaiter = reject;
    });
  }

  async return(): Promise<Done> {
    this.#ended = true; // no asking again for the batch acked now
    this.#ackInHand();
    await this.#finish();
    return DONE;
  }

  ask(n: number): void {
    assertCount('n', n);
    assertDemandFits('n', this.#consumer?.demand ?? 0, n);
    if (!this.#ended) this.#consumer?.ask(n);
  }

  unsubscribe(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#consumer?.stop().then(() => this.#wakeEnded(), this.#report);
    return true;
  }

  /**
   * Ends the subscription giving back everything unacked: the batch in hand as failed (its
   * delivery counts), the batches the loop had not taken as never handled.
   */
  async giveBack(): Promise<void> {
    this.#ended = true;
    const inHand = this.#inHand;
    this.#inHand = undefined;
    if (inHand !== undefined) await this.#consumer?.settle('release', inHand.delivery.ids).catch(this.#report);
    await this.#finish();
  }

  /** Stops reading and gives back the batches the loop has not taken (the buffer's `close()`). */
  close(): void {
    if (this.unsubscribe()) this.#returnQueued();
  }

  #wakeEnded(): void {
    if (this.#waiter === undefined || this.#queue.length > 0) return;
    const waiter = this.#waiter;
    this.#clearWaiter();
    this.#finish().then(() => waiter(DONE), this.#report);
  }

  /**
   * Sends the ack of the batch in hand and asks for as many events again, without waiting for
   * the reply: the next batch may already be here. Acks go out on one connection in order, so a
   * later command of this process sees them done; the loop's end waits for the last one.
   */
  #ackInHand(): void {
    const batch = this.#inHand;
    if (batch === undefined) return;
    this.#inHand = undefined;
    // Still pending in Redis on failure: the visibility timeout hands it to another consumer.
    this.#acking = this.#consumer?.settle('ack', batch.delivery.ids).then(() => undefined, this.#report);
    if (!this.#ended) this.#consumer?.ask(batch.delivery.ids.length);
  }

  #abort(): void {
    const reason: unknown = this.#signal?.reason;
    this.#failure = { reason };
    const reject = this.#rejectWaiter;
    this.#clearWaiter();
    this.giveBack().catch(this.#report);
    reject?.(reason);
  }

  #returnQueued(): void {
    const ids = this.#queue.flatMap((batch) => batch.delivery.ids);
    this.#queue.length = 0;
    if (ids.length > 0) this.#consumer?.settle('return', ids).catch(this.#report);
  }

  async #finish(): Promise<void> {
    await this.#acking;
    this.#ended = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#returnQueued();
    await this.#consumer?.leave();
  }

  #clearWaiter(): void {
    this.#waiter = undefined;
    this.#rejectWaiter = undefined;
  }
}
