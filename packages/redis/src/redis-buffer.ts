// A dispenser buffer shared by processes through a Redis stream and one consumer group.
import { BufferClosedError, type Subscriber } from '@dispenser/core';
import { assertBatch, assertCount, assertDemandFits, assertKnownKeys, assertObject, assertSignal, describeValue, readSignal, sleep } from '@dispenser/core/internal';
import { CodecError } from './errors';
import { ConsumerGroup } from './internal/consumer-host';
import { GROUP, keyList } from './internal/keys';
import { APPEND, SNAPSHOT } from './internal/lua';
import { parseSnapshot, type Snapshot } from './internal/snapshot';
import { resolveBufferOptions, type BufferSettings } from './internal/options';
import { feed } from './internal/feed';
import { PullSubscription } from './internal/pull-subscription';
import { PushSubscriber } from './internal/push-subscriber';
import { commandError, runScript, script } from './internal/scripts';
import type {
  DeadLetter,
  FeedOptions,
  FeedTarget,
  RedisBufferMetrics,
  RedisCloseOptions,
  RedisBufferOptions,
  RedisBufferStats,
  RedisSubscribeOptions,
  RedisWriteOptions,
} from './redis-buffer-types';
import type { RedisSubscription } from './redis-subscription';

const appendScript = /*#__PURE__*/ script(APPEND);
const snapshotScript = /*#__PURE__*/ script(SNAPSHOT);

/**
 * A bounded buffer on a Redis 7 stream that processes on any machine append to and consume by
 * demand: drops are exact and counted, consumers pull as much as they ask for, and the events
 * of a consumer that dies go to the others.
 *
 * **When to use:** producers and consumers in several processes or machines share one queue.
 * Inside one process, a `BufferServer` is faster and exactly once; feed one from a
 * `RedisBuffer` with {@link RedisBuffer.feed} to spread events across processes by demand and
 * inside the process by the server's strategy.
 *
 * **Gotchas:**
 * - Delivery is at least once: an event is acked after its handler, and a consumer that dies (or
 *   stalls past `leaseTtl`) before acking has its events delivered again to another consumer,
 *   with a higher delivery count. Make handlers idempotent (the delivery carries entry ids).
 * - Capacity counts undelivered events only; events in flight are never dropped.
 * - Durability is Redis's: without AOF a Redis restart loses everything.
 * - Events go through the codec (JSON by default): no functions, classes come back as plain objects.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisBuffer } from '@dispenser/redis';
 *
 * const client = await createClient().connect();
 * const jobs = new RedisBuffer<{ id: number }>({ client, name: 'jobs', capacity: 10_000 });
 * await jobs.append([{ id: 1 }, { id: 2 }]);
 * for await (const batch of jobs.subscribe({ maxDemand: 100 })) {
 *   console.log(batch); // acked when the loop asks for the next batch
 * }
 * ```
 */
export class RedisBuffer<E> {
  readonly #settings: BufferSettings<E>;
  readonly #keys: string[];
  readonly #group: ConsumerGroup<E>;
  readonly #pulls = new Set<PullSubscription<E>>();
  readonly #pushes = new Map<Subscriber<E>, PushSubscriber<E>>();
  #closing: Promise<void> | undefined;
  readonly #report = (error: unknown): void => this.#group.report(error);

  /**
   * @throws TypeError / RangeError naming the option (`options.capacity`…) for bad options
   */
  constructor(options: RedisBufferOptions<E>) {
    this.#settings = resolveBufferOptions<E>(options, (error) => console.error(error));
    this.#keys = keyList(this.#settings.keys);
    this.#group = new ConsumerGroup(this.#settings);
  }

  /** The buffer's name. */
  get name(): string {
    return this.#settings.name;
  }

  /** The key of the stream (the other keys start with it). */
  get key(): string {
    return this.#settings.keys.stream;
  }

  /**
   * Appends `events` in one atomic step (one round trip); when the buffer is full the drop
   * strategy decides, exactly: `'drop-newest'` refuses the events that do not fit (the first
   * ones of the batch are kept), `'drop-oldest'` skips the oldest undelivered events.
   *
   * @returns how many events were dropped
   * @throws CodecError (nothing appended) for an event the codec refuses; BufferClosedError after
   *   `close()`; RedisCommandError when Redis failed (the events may or may not be stored);
   *   RedisVersionError; GroupMissingError
   */
  async append(events: readonly E[]): Promise<number> {
    this.#assertOpen();
    assertBatch('events', events);
    if (events.length === 0) return 0;
    const reply = await this.#append(this.#encode(events), this.#settings.dropStrategy);
    return reply.dropped;
  }

  /**
   * Appends `events`, waiting while the buffer is full instead of dropping: what fits goes in
   * at once, the rest as consumers make room (checked every few milliseconds, backing off to
   * 100 ms).
   *
   * @throws the signal's reason when aborted (the events before the first not appended are in);
   *   otherwise as {@link RedisBuffer.append}
   */
  async write(events: readonly E[], options: RedisWriteOptions = {}): Promise<void> {
    this.#assertOpen();
    assertBatch('events', events);
    const signal = readSignal(options);
    signal?.throwIfAborted();
    let rest = this.#encode(events);
    let pause = 2;
    while (rest.length > 0) {
      const { added } = await this.#append(rest, 'fit');
      rest = rest.slice(added);
      if (rest.length === 0) return;
      this.#assertOpen();
      signal?.throwIfAborted();
      pause = added > 0 ? 2 : Math.min(100, pause * 2);
      await sleep(this.#settings.clock, pause, signal);
    }
  }

  /**
   * Events as an async iterable of batches, read with `maxDemand` demand and acked as the loop
   * moves on (see {@link RedisSubscription}). Each subscription is one consumer of the group
   * with its own connection.
   *
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad options
   */
  subscribe(options: RedisSubscribeOptions = {}): RedisSubscription<E> {
    this.#assertOpen();
    assertObject('options', options);
    assertKnownKeys('options', options, ['maxDemand', 'signal']);
    const { maxDemand = 100, signal } = options;
    assertCount('options.maxDemand', maxDemand, 1);
    assertSignal('options.signal', signal);
    return this.#subscribe(maxDemand, signal);
  }

  /**
   * Feeds a local server (a `BufferServer` and its strategy, a `BatchingBufferServer`…) from
   * this buffer: one consumer of the group takes batches from Redis as fast as the server
   * accepts them (`write` waits for room), so the process pulls what its local subscribers ask
   * for. Two levels share the work: across processes Redis hands events to whichever consumer
   * asks; inside the process the server's strategy splits them among its subscribers.
   *
   * **Gotchas:** with the default `ackWhen: 'accepted'` a batch is acked once it is in the
   * server's buffer: events the server still holds when the process dies are lost (use
   * `ackWhen: 'idle'`, or subscribe directly, when each event must survive a crash). Events a
   * failed write had partly placed come back from Redis too (at least once).
   *
   * @returns a promise that resolves when `options.signal` aborts or this buffer closes, and
   *   rejects with what the server's `write` threw (such as `BufferClosedError`), after giving
   *   the batch back
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * const local = new BufferServer<Job>({ capacity: 200, strategy: even() });
   * void jobs.feed(local, { maxDemand: 100, signal: shutdown.signal });
   * for (const socket of sockets) local.ask(socketSubscriber(socket), 10);
   * ```
   */
  feed(server: FeedTarget<E>, options: FeedOptions = {}): Promise<void> {
    this.#assertOpen();
    if (typeof server !== 'object' || server === null || typeof server.write !== 'function') {
      throw new TypeError(`server must have a write method, received ${describeValue(server)}`);
    }
    assertObject('options', options);
    assertKnownKeys('options', options, ['maxDemand', 'ackWhen', 'signal']);
    const { maxDemand = 100, ackWhen = 'accepted', signal } = options;
    assertCount('options.maxDemand', maxDemand, 1);
    if (ackWhen !== 'accepted' && ackWhen !== 'idle') {
      throw new RangeError(`options.ackWhen must be 'accepted' or 'idle', received ${describeValue(ackWhen)}`);
    }
    if (ackWhen === 'idle' && typeof server.onIdle !== 'function') {
      throw new TypeError(`options.ackWhen 'idle' needs a server with an onIdle method, received ${describeValue(server)}`);
    }
    assertSignal('options.signal', signal);
    return feed(this.#subscribe(maxDemand, signal), server, { ackWhen, ...(signal === undefined ? {} : { signal }) });
  }

  #subscribe(maxDemand: number, signal: AbortSignal | undefined): PullSubscription<E> {
    const subscription = new PullSubscription<E>(this.#settings.codec, this.#report, signal);
    const consumer = this.#group.add(subscription.receive, () => this.#pulls.delete(subscription));
    this.#pulls.add(subscription);
    subscription.start(consumer, maxDemand);
    return subscription;
  }

  /**
   * Push style: asks for `amount` more events for `subscriber`, whose handler gets them in
   * batches (with a {@link RedisDelivery} as second argument), one call at a time. A batch is
   * acked when the handler returns or resolves. A handler that throws or rejects takes the
   * subscriber down (reported to `onError`): its unacked events go to other consumers and its
   * demand is cancelled; asking again starts it afresh. Aborting its `signal` does the same
   * after the running call.
   *
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad arguments
   */
  ask(subscriber: Subscriber<E>, amount: number): void {
    this.#assertOpen();
    if (typeof subscriber !== 'object' || subscriber === null || typeof subscriber.handleAssignedEvents !== 'function') {
      throw new TypeError(`subscriber must be an object with a handleAssignedEvents method, received ${describeValue(subscriber)}`);
    }
    assertCount('amount', amount);
    assertSignal('subscriber.signal', subscriber.signal);
    if (subscriber.signal?.aborted === true || amount === 0) return;
    let push = this.#pushes.get(subscriber);
    assertDemandFits('amount', push?.consumer.demand ?? 0, amount);
    if (push === undefined) push = this.#addPush(subscriber);
    push.consumer.ask(amount);
  }

  /**
   * Gauges across all processes, in one round trip: undelivered events, events in flight,
   * consumers with a live lease and their published demand.
   */
  async stats(): Promise<RedisBufferStats> {
    const snapshot = await this.#snapshot();
    return { buffered: snapshot.buffered, subscribed: snapshot.subscribed, demand: snapshot.demand, inFlight: snapshot.inFlight };
  }

  /** Counters across all processes since the buffer's keys were created, in one round trip. */
  async metrics(): Promise<RedisBufferMetrics> {
    const { counters, read } = await this.#snapshot();
    return {
      appended: counters.appended,
      dropped: counters.dropped,
      delivered: read - counters.skipped,
      redelivered: counters.redelivered,
      deadLettered: counters.deadLettered,
      acked: counters.acked,
      ownershipLost: counters.ownershipLost,
      lost: counters.lost,
    };
  }

  /**
   * The newest `count` entries of the dead-letter stream, oldest first. An entry the codec
   * cannot decode has `event: undefined`.
   */
  async deadLetters(count = 100): Promise<Array<DeadLetter<E | undefined>>> {
    assertCount('count', count, 1);
    const reply = await this.#settings.connection
      .send(['XREVRANGE', this.#settings.keys.deadLetters, '+', '-', 'COUNT', String(count)], this.#settings.keys.deadLetters)
      .catch((error: unknown) => {
        throw commandError('XREVRANGE', error, this.key);
      });
    const letters: Array<DeadLetter<E | undefined>> = [];
    for (const item of Array.isArray(reply) ? reply : []) {
      const fields = Array.isArray(item) && Array.isArray(item[1]) ? item[1] : [];
      const map = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
      let event: E | undefined;
      try {
        event = this.#settings.codec.decode(map.get('e') ?? '');
      } catch {
        event = undefined;
      }
      const reason = map.get('reason') === 'undecodable' ? 'undecodable' : 'maxDeliveries';
      letters.push({ event, id: map.get('id') ?? '', deliveries: Number(map.get('deliveries')), reason });
    }
    return letters.reverse();
  }

  /**
   * Stops every consumer of this process: push subscribers finish the batch in their handler
   * (acked) and give the rest back; pull subscriptions stop reading, give back the batches the
   * loop has not taken, and end after the batch in hand. Appends and subscribes are refused
   * from now on. The client passed in stays open. Every call returns the same promise.
   *
   * **Gotchas:** a handler promise that never settles keeps `close()` waiting: pass a `signal`
   * to stop waiting (the batches of such handlers go back to Redis for other consumers).
   *
   * @returns a promise that resolves once the push handlers are done, or rejects with the reason
   *   of an aborted `signal`
   */
  close(options: RedisCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(readSignal(options));
    return this.#closing;
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    for (const pull of this.#pulls) pull.close();
    const pushes = [...this.#pushes.values()];
    this.#pushes.clear();
    const ends = await Promise.allSettled(pushes.map((push) => push.end(signal)));
    const failed = ends.find((end) => end.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  #addPush(subscriber: Subscriber<E>): PushSubscriber<E> {
    const remove = (): void => {
      if (this.#pushes.get(subscriber) === push) this.#pushes.delete(subscriber);
    };
    const holder: { push?: PushSubscriber<E> } = {};
    const consumer = this.#group.add((entries) => holder.push?.receive(entries));
    const push = new PushSubscriber(subscriber, consumer, this.#settings.codec, this.#report, remove);
    holder.push = push;
    this.#pushes.set(subscriber, push);
    subscriber.signal?.addEventListener(
      'abort',
      () => {
        remove();
        push.end().catch(this.#report);
      },
      { once: true },
    );
    return push;
  }

  #encode(events: readonly E[]): string[] {
    const { codec } = this.#settings;
    const texts = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) {
      let text: unknown;
      try {
        text = codec.encode(events[i] as E);
      } catch (error) {
        throw new CodecError('encode', i, error instanceof Error ? error.message : String(error), error);
      }
      if (typeof text !== 'string') throw new CodecError('encode', i, `the codec returned ${describeValue(text)} instead of a string`);
      texts[i] = text;
    }
    return texts;
  }

  async #append(texts: readonly string[], mode: string): Promise<{ added: number; dropped: number }> {
    await this.#group.ready();
    const reply = await runScript(this.#settings.connection, appendScript, this.#keys, [GROUP, String(this.#settings.capacity), mode, ...texts]);
    const [added, dropped] = Array.isArray(reply) ? reply.map(Number) : [0, 0];
    return { added: added ?? 0, dropped: dropped ?? 0 };
  }

  async #snapshot(): Promise<Snapshot> {
    await this.#group.ready();
    return parseSnapshot(await runScript(this.#settings.connection, snapshotScript, this.#keys, [GROUP]));
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new BufferClosedError('the Redis buffer was closed in this process; make a new one');
  }
}
